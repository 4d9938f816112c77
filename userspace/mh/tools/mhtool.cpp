// SPDX-License-Identifier: GPL-2.0
//
// mhtool: the Mobility Header codec from the command line.
//
//   mhtool decode HEX               one Mobility Header, in hex, to one line
//   mhtool decode-pcap FILE         every Mobility Header in a capture
//   mhtool pcap OUT SRC DST HEX...  each Mobility Header in an IPv6 packet
//                                   (checksum set) into the pcap file OUT
//   mhtool example NAME             hex of a built example: pbu, pba (every
//                                   option the codec knows), be
//
// Exit status: 0 success, 1 a message did not parse, 2 usage or I/O error.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "capture.hpp"
#include "examples.hpp"
#include "dlif/mh/mh.hpp"

namespace {

using namespace dlif::mh;
using dlif::Ipv6Address;

int usage()
{
	std::cerr << "usage: mhtool decode HEX\n"
		     "       mhtool decode-pcap FILE\n"
		     "       mhtool pcap OUT SRC DST HEX...\n"
		     "       mhtool example pbu|pba|be\n";
	return 2;
}

bool print_decoded(std::span<const std::uint8_t> mh)
{
	const auto parsed = parse(mh);
	if (!parsed) {
		std::cout << "error: " << parsed.error() << '\n';
		return false;
	}
	std::cout << to_string(*parsed) << '\n';
	return true;
}

Message example(const std::string &name)
{
	if (name == "pba")
		return examples::pba_with_every_option();
	if (name == "be")
		return BindingError{};
	return examples::pbu_with_every_option();
}

} // namespace

int main(int argc, char **argv)
{
	const std::vector<std::string> args(argv + 1, argv + argc);
	if (args.empty())
		return usage();
	const std::string &command = args[0];

	if (command == "decode" && args.size() == 2) {
		const auto bytes = capture::from_hex(args[1]);
		if (!bytes)
			return usage();
		return print_decoded(*bytes) ? 0 : 1;
	}
	if (command == "decode-pcap" && args.size() == 2) {
		const auto packets = capture::read_pcap(args[1]);
		if (!packets) {
			std::cerr << "mhtool: cannot read " << args[1] << " as pcap\n";
			return 2;
		}
		bool all_ok = true;
		for (const auto &packet : *packets)
			if (const auto mh = capture::mobility_header_of(packet))
				all_ok = print_decoded(mh->mobility_header) && all_ok;
		return all_ok ? 0 : 1;
	}
	if (command == "pcap" && args.size() >= 5) {
		const auto source = Ipv6Address::from_string(args[2]);
		const auto destination = Ipv6Address::from_string(args[3]);
		if (!source || !destination)
			return usage();
		std::vector<std::vector<std::uint8_t>> packets;
		for (std::size_t i = 4; i < args.size(); ++i) {
			const auto mh = capture::from_hex(args[i]);
			if (!mh)
				return usage();
			packets.push_back(capture::ipv6_packet(*source, *destination, *mh));
		}
		if (!capture::write_pcap(args[1], packets)) {
			std::cerr << "mhtool: cannot write " << args[1] << '\n';
			return 2;
		}
		return 0;
	}
	if (command == "example" && args.size() == 2) {
		const auto bytes = build(example(args[1]));
		if (!bytes) {
			std::cerr << "mhtool: " << bytes.error() << '\n';
			return 2;
		}
		std::cout << capture::to_hex(*bytes) << '\n';
		return 0;
	}
	return usage();
}
