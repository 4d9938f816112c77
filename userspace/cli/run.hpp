// SPDX-License-Identifier: GPL-2.0
//
// Carrying out a parsed dlifctl command: the I/O side (the dlif client,
// interface names, stdout/stderr).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "args.hpp"
#include "dlif/nl/dlif_client.hpp"

namespace dlif::cli {

enum ExitStatus : int {
	exit_ok = 0,
	exit_failure = 1,	// the kernel or the system refused
	exit_usage = 2,		// bad command line
};

// ifindex <-> name in the current network namespace, through
// if_indextoname / if_nametoindex. Names are cached for the length of one
// listing (a dump of 100k entries names a handful of devices), not across
// a monitor's lifetime, where devices come and go.
class InterfaceNames {
public:
	explicit InterfaceNames(bool cache) : cache_(cache) {}

	std::string name_of(uint32_t ifindex);	// "if7" when it has none
	std::optional<uint32_t> index_of(const std::string &name);

private:
	bool cache_;
	std::unordered_map<uint32_t, std::string> names_;
	// A batch names the same DLIF on many lines: if_nametoindex costs a
	// socket and an ioctl each time.
	std::unordered_map<std::string, uint32_t> indexes_;
};

class Runner {
public:
	Runner(Options options, std::FILE *out, std::FILE *err);

	int run(const Command &command);

private:
	// A failure already rendered for the user, and its exit status.
	struct Failure {
		int status;
		std::string text;
	};
	using Outcome = std::optional<Failure>;

	Outcome execute(const Command &command);
	Outcome route_modify(const RouteModify &command);
	Outcome route_delete(const RouteDelete &command);
	Outcome route_get(const RouteGet &command);
	Outcome route_show(const RouteShow &command);
	Outcome route_flush(const RouteFlush &command);
	Outcome dev_show(const DevShow &command);
	Outcome dev_set(const DevSet &command);
	Outcome binding_modify(const BindingModify &command);
	Outcome binding_show(const BindingShow &command);
	Outcome monitor();
	using ItemPrinter = std::function<void(std::string_view)>;
	using Dump = std::function<nl::Result<nl::DumpSummary>(const ItemPrinter &)>;
	Outcome print_dump(const Dump &dump);
	Outcome metrics();
	Outcome daemon_command(const Command &command);
	Outcome mn_list();
	int run_batch();

	nl::Result<nl::DlifClient *> client();
	nl::Result<uint32_t> ifindex_of(const std::string &name);
	// A DLIF entry operation as the kernel takes it (device name resolved).
	nl::Result<nl::EntryOp> entry_op(const Command &command);
	static Failure kernel_failure(const nl::Error &error);

	Options options_;
	std::FILE *out_;
	std::FILE *err_;
	InterfaceNames names_{true};
	std::optional<nl::DlifClient> client_;
};

}  // namespace dlif::cli
