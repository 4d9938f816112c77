// SPDX-License-Identifier: GPL-2.0
//
// libFuzzer target for the Mobility Header codec: every input must parse
// to a message or a typed error without undefined behaviour (ASan and
// UBSan watch), and every message must survive build -> parse unchanged
// (mh_invariants.hpp).
#include <cstdio>
#include <cstdlib>

#include "mh_invariants.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t *data, std::size_t size, std::size_t max_size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string broken = dlif::mh::fuzz::check_invariants({data, size});
	if (!broken.empty()) {
		std::fprintf(stderr, "mh_fuzz: invariant broken: %s\n", broken.c_str());
		std::abort();
	}
	return 0;
}

// Most random inputs would stop at the Header Len check. After libFuzzer's
// own mutation, usually make the length a multiple of 8 and Header Len
// agree with it, so that the option parser gets most of the work; leave
// the rest alone so the header checks stay covered.
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t *data, std::size_t size, std::size_t max_size,
					       unsigned int seed)
{
	size = LLVMFuzzerMutate(data, size, max_size);
	if (seed % 8 == 0 || size < dlif::mh::kMhUnit)
		return size;
	size -= size % dlif::mh::kMhUnit;
	if (size > dlif::mh::kMaxMessageSize)
		size = dlif::mh::kMaxMessageSize;
	data[dlif::mh::kOffsetHeaderLen] = static_cast<std::uint8_t>(size / dlif::mh::kMhUnit - 1);
	if (seed % 8 != 1)
		data[dlif::mh::kOffsetPayloadProto] = dlif::mh::kPayloadProtoNone;
	return size;
}
