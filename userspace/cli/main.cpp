// SPDX-License-Identifier: GPL-2.0
//
// dlifctl: show and change the dlif tunnel table and DLIF devices.
#include <cstdio>

#include "args.hpp"
#include "run.hpp"

int main(int argc, char **argv)
{
	auto invocation = dlif::cli::parse_invocation(argc, argv);
	if (!invocation) {
		std::fprintf(stderr, "dlifctl: %s\n", invocation.error().message.c_str());
		return dlif::cli::exit_usage;
	}
	dlif::cli::Runner runner(invocation->options, stdout, stderr);
	return runner.run(invocation->command);
}
