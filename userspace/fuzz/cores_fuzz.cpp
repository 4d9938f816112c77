// SPDX-License-Identifier: GPL-2.0
//
// libFuzzer target for the protocol cores: each input is a script of
// Mobility Headers, attaches, departures, time and restarts run in the
// in-process domain (cores_script.hpp, which says what is checked).
#include <cstdio>
#include <cstdlib>

#include "cores_script.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string problem = dlif::fuzz::run_cores_script({data, size});
	if (!problem.empty()) {
		std::fprintf(stderr, "cores_fuzz: %s\n", problem.c_str());
		std::abort();
	}
	return 0;
}
