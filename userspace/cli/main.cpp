// SPDX-License-Identifier: GPL-2.0
//
// dlifctl: show and change the dlif tunnel table and DLIF devices.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <variant>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "dlif/unique_fd.hpp"

#include "args.hpp"
#include "run.hpp"

namespace {

// -n NAME: move into the network namespace that "ip netns add NAME"
// made (or the one a path names, such as /proc/PID/ns/net), as "ip -n"
// does. Only the network namespace changes: the control socket is a path
// in the file system, so "-n" and "-S" combine. Returns what went wrong.
std::string enter_netns(const std::string &name)
{
	const std::string path = name.find('/') == std::string::npos ? "/run/netns/" + name : name;
	const dlif::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		return "cannot open network namespace \"" + name + "\": " + std::strerror(errno);
	if (::setns(fd.get(), CLONE_NEWNET) < 0)
		return "cannot enter network namespace \"" + name + "\": " + std::strerror(errno);
	return {};
}

}  // namespace

int main(int argc, char **argv)
{
	auto invocation = dlif::cli::parse_invocation(argc, argv);
	if (!invocation) {
		std::fprintf(stderr, "dlifctl: %s\n", invocation.error().message.c_str());
		return dlif::cli::exit_usage;
	}
	const auto &command = invocation->command;
	const bool informational = std::holds_alternative<dlif::cli::Help>(command) ||
				   std::holds_alternative<dlif::cli::Version>(command);
	if (invocation->options.netns && !informational) {
		if (const auto failure = enter_netns(*invocation->options.netns); !failure.empty()) {
			std::fprintf(stderr, "dlifctl: %s\n", failure.c_str());
			return dlif::cli::exit_failure;
		}
	}
	dlif::cli::Runner runner(invocation->options, stdout, stderr);
	return runner.run(command);
}
