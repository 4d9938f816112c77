// SPDX-License-Identifier: GPL-2.0
#include "run.hpp"

#include <net/if.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "daemon.hpp"
#include "format.hpp"
#include "metrics.hpp"
#include "dlif/time_format.hpp"

#ifndef DLIF_VERSION
#define DLIF_VERSION "unknown"
#endif

namespace dlif::cli {

std::string InterfaceNames::name_of(uint32_t ifindex)
{
	if (cache_) {
		if (auto it = names_.find(ifindex); it != names_.end())
			return it->second;
	}
	char buf[IF_NAMESIZE];
	std::string name = if_indextoname(ifindex, buf) ? buf : "if" + std::to_string(ifindex);
	if (cache_)
		names_.emplace(ifindex, name);
	return name;
}

std::optional<uint32_t> InterfaceNames::index_of(const std::string &name)
{
	if (cache_) {
		if (auto it = indexes_.find(name); it != indexes_.end())
			return it->second;
	}
	unsigned index = if_nametoindex(name.c_str());
	if (index == 0)
		return std::nullopt;
	if (cache_)
		indexes_.emplace(name, index);
	return index;
}

Runner::Runner(Options options, std::FILE *out, std::FILE *err)
	: options_(std::move(options)), out_(out), err_(err)
{
}

Runner::Failure Runner::kernel_failure(const nl::Error &error)
{
	return {exit_failure, format_error(error)};
}

nl::Result<nl::DlifClient *> Runner::client()
{
	if (!client_) {
		auto opened = nl::DlifClient::open();
		if (!opened)
			return opened.error();
		client_.emplace(std::move(*opened));
		client_->socket().set_warning_handler([this](std::string_view warning) {
			std::fprintf(err_, "Warning: %.*s.\n", static_cast<int>(warning.size()),
				     warning.data());
		});
	}
	return &*client_;
}

nl::Result<uint32_t> Runner::ifindex_of(const std::string &name)
{
	if (auto index = names_.index_of(name))
		return *index;
	return nl::make_error(ENODEV, "cannot find device \"" + name + "\"");
}

nl::Result<nl::EntryOp> Runner::entry_op(const Command &command)
{
	if (const auto *modify = std::get_if<RouteModify>(&command)) {
		nl::EntryOp op{modify->kind, modify->entry};
		if (modify->dev) {
			auto index = ifindex_of(*modify->dev);
			if (!index)
				return index.error();
			op.entry.ifindex = *index;
		}
		return op;
	}
	const auto &remove = std::get<RouteDelete>(command);
	nl::EntryOp op;
	op.kind = nl::EntryOpKind::remove;
	op.entry.prefix = remove.prefix;
	return op;
}

Runner::Outcome Runner::route_modify(const RouteModify &command)
{
	auto op = entry_op(command);
	if (!op)
		return kernel_failure(op.error());
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	if (auto status = (*dlif)->apply(*op); !status)
		return kernel_failure(status.error());
	return std::nullopt;
}

Runner::Outcome Runner::route_delete(const RouteDelete &command)
{
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	if (auto status = (*dlif)->remove_entry(command.prefix); !status)
		return kernel_failure(status.error());
	return std::nullopt;
}

Runner::Outcome Runner::route_get(const RouteGet &command)
{
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	auto entry = (*dlif)->get_entry(command.prefix);
	if (!entry)
		return kernel_failure(entry.error());
	auto ifname = [this](uint32_t index) { return names_.name_of(index); };
	std::string text;
	if (options_.json) {
		text = json_text(Json::array({entry_json(*entry, ifname, true)})) + '\n';
	} else {
		text = format_entry(*entry, ifname, options_.stats);
	}
	std::fputs(text.c_str(), out_);
	return std::nullopt;
}

Runner::Outcome Runner::route_show(const RouteShow &command)
{
	nl::EntryFilter filter;
	filter.role = command.role;
	filter.peer = command.peer;
	filter.mn = command.mn;
	if (command.dev) {
		auto index = ifindex_of(*command.dev);
		if (!index)
			return kernel_failure(index.error());
		filter.ifindex = *index;
	}
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	auto ifname = [this](uint32_t index) { return names_.name_of(index); };
	return print_dump([&](const ItemPrinter &print) {
		return (*dlif)->dump_entries(filter, [&](const nl::Entry &entry) -> nl::Status {
			print(options_.json ? json_text(entry_json(entry, ifname, options_.stats))
					    : format_entry(entry, ifname, options_.stats));
			return {};
		});
	});
}

// Each item as its message arrives, so that a table of 100k entries never
// sits in memory: a line each, or the elements of one JSON array.
Runner::Outcome Runner::print_dump(const Dump &dump)
{
	bool first = true;
	if (options_.json)
		std::fputs("[", out_);
	auto summary = dump([&](std::string_view text) {
		if (options_.json && !first)
			std::fputc(',', out_);
		first = false;
		std::fwrite(text.data(), 1, text.size(), out_);
	});
	if (options_.json)
		std::fputs("]\n", out_);
	if (!summary)
		return kernel_failure(summary.error());
	if (summary->interrupted)
		return Failure{exit_failure, "Dump was interrupted and may be inconsistent."};
	return std::nullopt;
}

Runner::Outcome Runner::route_flush(const RouteFlush &command)
{
	nl::FlushFilter filter;
	filter.peer = command.peer;
	if (command.dev) {
		auto index = ifindex_of(*command.dev);
		if (!index)
			return kernel_failure(index.error());
		filter.ifindex = *index;
	}
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	if (auto status = (*dlif)->flush_entries(filter); !status)
		return kernel_failure(status.error());
	return std::nullopt;
}

Runner::Outcome Runner::dev_show(const DevShow &command)
{
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	auto ifname = [this](uint32_t index) { return names_.name_of(index); };
	auto text_of = [&](const nl::DlifDevice &device) {
		return options_.json ? json_text(device_json(device, ifname)) : format_device(device, ifname);
	};
	if (command.name) {
		auto index = ifindex_of(*command.name);
		if (!index)
			return kernel_failure(index.error());
		auto device = (*dlif)->get_device(*index);
		if (!device)
			return kernel_failure(device.error());
		std::string text = text_of(*device);
		if (options_.json)
			text = "[" + text + "]\n";
		std::fputs(text.c_str(), out_);
		return std::nullopt;
	}
	return print_dump([&](const ItemPrinter &print) {
		return (*dlif)->dump_devices([&](const nl::DlifDevice &device) -> nl::Status {
			print(text_of(device));
			return {};
		});
	});
}

Runner::Outcome Runner::dev_set(const DevSet &command)
{
	auto index = ifindex_of(command.name);
	if (!index)
		return kernel_failure(index.error());
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	nl::DeviceUpdate update{*index, command.mn, command.maar};
	if (auto status = (*dlif)->set_device(update); !status)
		return kernel_failure(status.error());
	return std::nullopt;
}

Runner::Outcome Runner::binding_modify(const BindingModify &command)
{
	auto index = ifindex_of(command.dev);
	if (!index)
		return kernel_failure(index.error());
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	const nl::Binding binding{*index, command.mn, command.router.value_or(MacAddress{}), false,
				  command.router_ll, std::nullopt};
	auto status = command.add ? (*dlif)->add_bindings({&binding, 1})
				  : (*dlif)->remove_bindings({&binding, 1});
	if (!status)
		return kernel_failure(status.error());
	return std::nullopt;
}

Runner::Outcome Runner::binding_show(const BindingShow &command)
{
	std::optional<uint32_t> only;
	if (command.dev) {
		auto index = ifindex_of(*command.dev);
		if (!index)
			return kernel_failure(index.error());
		only = *index;
	}
	auto dlif = client();
	if (!dlif)
		return kernel_failure(dlif.error());
	auto ifname = [this](uint32_t index) { return names_.name_of(index); };
	return print_dump([&](const ItemPrinter &print) {
		return (*dlif)->dump_bindings(
			only,
			[&](const nl::Binding &binding) -> nl::Status {
				print(options_.json ? json_text(binding_json(binding, ifname))
						    : format_binding(binding, ifname));
				return {};
			},
			command.mn);
	});
}

Runner::Outcome Runner::monitor()
{
	auto monitor = nl::DlifMonitor::open(true);
	if (!monitor)
		return kernel_failure(monitor.error());
	// Devices come and go while a monitor runs: look names up each time.
	InterfaceNames live_names(false);
	auto ifname = [&](uint32_t index) { return live_names.name_of(index); };
	// The time an event was read, not when a reader down a pipe gets to it.
	const auto print = [&](const std::string &line) {
		if (options_.timestamp) {
			const auto now = rfc3339(std::chrono::system_clock::now(), SubSecond::microseconds);
			std::fputs(stamped_line(line, now, options_.json).c_str(), out_);
		} else {
			std::fputs(line.c_str(), out_);
		}
		std::fflush(out_);
	};
	for (;;) {
		auto status = monitor->receive(
			[&](const nl::Notification &notification) {
				print(options_.json ? format_notification_json(notification, ifname)
						    : format_notification(notification, ifname));
			},
			[&](const nl::BindingNotification &notification) {
				print(options_.json ? format_binding_notification_json(notification, ifname)
						    : format_binding_notification(notification, ifname));
			});
		if (status)
			continue;
		if (status.error().code == ENOBUFS || status.error().code == EBADMSG) {
			std::fprintf(err_, "dlifctl: monitor: %s\n", status.error().describe().c_str());
			continue;
		}
		return kernel_failure(status.error());
	}
}

// What answers goes in; what does not is said by dlifd_up or dlif_kernel_up
// (and on standard error), so that a scrape never fails half-way.
Runner::Outcome Runner::metrics()
{
	MetricsInput input;
	if (auto status = ask_daemon(options_.daemon_socket, control::StatusRequest{}); status && status->ok) {
		input.status = std::move(status->result);
		if (auto counters = ask_daemon(options_.daemon_socket, control::CountersRequest{});
		    counters && counters->ok)
			input.counters = std::move(counters->result);
	}
	if (auto dlif = client(); !dlif) {
		std::fprintf(err_, "dlifctl: metrics: the kernel's: %s\n", format_error(dlif.error()).c_str());
	} else {
		// A dump that raced with changes is retried: its sums would mix
		// two tables.
		for (int attempt = 0; attempt < 3 && !input.kernel; ++attempt) {
			KernelTotals totals;
			auto summary = (*dlif)->dump_entries({}, [&](const nl::Entry &entry) -> nl::Status {
				totals.add(entry);
				return {};
			});
			if (!summary) {
				std::fprintf(err_, "dlifctl: metrics: the kernel's: %s\n",
					     format_error(summary.error()).c_str());
				break;
			}
			if (!summary->interrupted)
				input.kernel = totals;
		}
	}
	const std::string text = prometheus_text(input);
	std::fwrite(text.data(), 1, text.size(), out_);
	return std::nullopt;
}

// `mn list` in pages, each printed as it arrives: a daemon with a million
// nodes is never asked for one reply of them all. A page of 1,000 is
// about 1 MB of JSON and a few milliseconds of the daemon's loop.
constexpr std::uint32_t kMnListPage = 1000;

Runner::Outcome Runner::mn_list()
{
	control::MnListRequest request{kMnListPage, std::nullopt};
	bool first = true;
	if (options_.json)
		std::fputs("[", out_);
	for (;;) {
		auto reply = ask_daemon(options_.daemon_socket, request);
		if (!reply)
			return Failure{exit_failure, "dlifctl: " + reply.error().describe()};
		if (!reply->ok)
			return Failure{exit_failure, "Error: " + reply->error + "."};
		const auto &page = reply->result;
		if (!page.is_object() || !page.contains("nodes") || !page["nodes"].is_array())
			return Failure{exit_failure, "dlifctl: dlifd answered mn-list with no page of nodes"};
		std::string text;
		for (const auto &node : page["nodes"]) {
			if (options_.json) {
				text += first ? "" : ",";
				text += node.dump(-1, ' ', false, control::Json::error_handler_t::replace);
			} else {
				text += format_mobile_node(node);
			}
			first = false;
		}
		std::fwrite(text.data(), 1, text.size(), out_);
		const auto next = page.find("next");
		if (next == page.end() || !next->is_string())
			break;
		request.after = next->get<std::string>();
	}
	if (options_.json)
		std::fputs("]\n", out_);
	return std::nullopt;
}

Runner::Outcome Runner::daemon_command(const Command &command)
{
	if (std::holds_alternative<MnList>(command))
		return mn_list();
	auto reply = ask_daemon(options_.daemon_socket, daemon_request(command));
	if (!reply)
		return Failure{exit_failure, "dlifctl: " + reply.error().describe()};
	if (!reply->ok)
		return Failure{exit_failure, "Error: " + reply->error + "."};
	std::string text = options_.json ? reply->result.dump() + "\n" : format_daemon_result(command, reply->result);
	std::fputs(text.c_str(), out_);
	return std::nullopt;
}

Runner::Outcome Runner::execute(const Command &command)
{
	if (is_daemon_command(command))
		return daemon_command(command);
	return std::visit(
		[this](const auto &c) -> Outcome {
			using T = std::decay_t<decltype(c)>;
			if constexpr (std::is_same_v<T, RouteModify>)
				return route_modify(c);
			else if constexpr (std::is_same_v<T, RouteDelete>)
				return route_delete(c);
			else if constexpr (std::is_same_v<T, RouteGet>)
				return route_get(c);
			else if constexpr (std::is_same_v<T, RouteShow>)
				return route_show(c);
			else if constexpr (std::is_same_v<T, RouteFlush>)
				return route_flush(c);
			else if constexpr (std::is_same_v<T, DevShow>)
				return dev_show(c);
			else if constexpr (std::is_same_v<T, DevSet>)
				return dev_set(c);
			else if constexpr (std::is_same_v<T, BindingModify>)
				return binding_modify(c);
			else if constexpr (std::is_same_v<T, BindingShow>)
				return binding_show(c);
			else if constexpr (std::is_same_v<T, Monitor>)
				return monitor();
			else if constexpr (std::is_same_v<T, Metrics>)
				return metrics();
			else if constexpr (std::is_same_v<T, Help>) {
				std::fputs(usage_text().data(), out_);
				return std::nullopt;
			} else if constexpr (std::is_same_v<T, Version>) {
				std::fputs("dlifctl (dlif) " DLIF_VERSION "\n", out_);
				return std::nullopt;
			} else {
				return Failure{exit_usage, "-batch cannot be nested"};
			}
		},
		command);
}

int Runner::run(const Command &command)
{
	if (std::holds_alternative<RunBatch>(command))
		return run_batch();
	Outcome outcome = execute(command);
	std::fflush(out_);
	if (!outcome)
		return exit_ok;
	std::fprintf(err_, "%s\n", outcome->text.c_str());
	return outcome->status;
}

namespace {

struct FileCloser {
	void operator()(std::FILE *file) const noexcept { std::fclose(file); }
};

struct LineFree {
	void operator()(char *line) const noexcept { std::free(line); }
};

}  // namespace

int Runner::run_batch()
{
	const std::string &name = *options_.batch_file;
	std::unique_ptr<std::FILE, FileCloser> owned;
	std::FILE *input = stdin;
	if (name != "-") {
		owned.reset(std::fopen(name.c_str(), "re"));
		if (!owned) {
			std::fprintf(err_, "dlifctl: cannot open \"%s\": %s\n", name.c_str(),
				     std::strerror(errno));
			return exit_failure;
		}
		input = owned.get();
	}

	int status = exit_ok;
	uint64_t first_failed_line = 0;
	uint64_t last_sent_line = 0;
	auto fail = [&](uint64_t line, int line_status, const std::string &text) {
		std::fprintf(err_, "line %llu: %s\n", static_cast<unsigned long long>(line),
			     text.c_str());
		if (status == exit_ok) {
			status = line_status;
			first_failed_line = line;
		}
	};

	// route add / replace / del lines go through one pipeline; anything
	// else first waits for the pipeline's acks, so the effect is that of
	// running the lines one after the other.
	std::optional<nl::EntryPipeline> pipeline;
	bool transport_broken = false;
	auto drain = [&]() {
		if (!pipeline)
			return;
		if (auto flushed = pipeline->flush(); !flushed) {
			fail(last_sent_line, exit_failure, format_error(flushed.error()));
			transport_broken = true;
		}
		pipeline.reset();
	};

	auto stopped = [&]() {
		return transport_broken || (status != exit_ok && !options_.force);
	};
	// A line that fails without reaching the kernel is reported only after
	// the acks of the lines before it, so that failures come out in line
	// order and "the first error" is the first line that failed.
	auto fail_after_drain = [&](uint64_t line, int line_status, const std::string &text) {
		drain();
		if (!stopped())
			fail(line, line_status, text);
	};

	std::unique_ptr<char, LineFree> buffer;
	std::size_t capacity = 0;
	uint64_t line_number = 0;
	while (!stopped()) {
		char *raw = buffer.release();
		ssize_t length = getline(&raw, &capacity, input);
		buffer.reset(raw);
		if (length < 0)
			break;
		++line_number;

		auto words = split_batch_line(std::string_view(raw, static_cast<std::size_t>(length)));
		if (!words) {
			fail_after_drain(line_number, exit_usage, words.error().message);
			continue;
		}
		if (words->empty())
			continue;
		std::vector<std::string_view> views(words->begin(), words->end());
		auto command = parse_command(views);
		if (!command) {
			fail_after_drain(line_number, exit_usage, command.error().message);
			continue;
		}
		if (std::holds_alternative<Monitor>(*command)) {
			fail_after_drain(line_number, exit_usage, "monitor cannot run in a batch");
			continue;
		}

		bool pipelined = std::holds_alternative<RouteModify>(*command) ||
				 std::holds_alternative<RouteDelete>(*command);
		if (!pipelined) {
			drain();
			if (stopped())
				break;
			if (Outcome outcome = execute(*command))
				fail(line_number, outcome->status, outcome->text);
			std::fflush(out_);
			continue;
		}

		auto op = entry_op(*command);
		if (!op) {
			fail_after_drain(line_number, exit_failure, format_error(op.error()));
			continue;
		}
		if (!pipeline) {
			auto dlif = client();
			if (!dlif) {
				fail(line_number, exit_failure, format_error(dlif.error()));
				transport_broken = true;
				break;
			}
			pipeline.emplace(**dlif, [&](uint64_t tag, const nl::Error &error) {
				fail(tag, exit_failure, format_error(error));
			});
		}
		last_sent_line = line_number;
		if (auto pushed = pipeline->push(*op, line_number); !pushed) {
			fail(line_number, exit_failure, format_error(pushed.error()));
			transport_broken = true;
		}
	}
	drain();
	// Requests after the failing one may already have been in flight:
	// the kernel processed them, so say so rather than pretend they were
	// skipped.
	if (status != exit_ok && !options_.force && last_sent_line > first_failed_line) {
		auto first = static_cast<unsigned long long>(first_failed_line + 1);
		auto last = static_cast<unsigned long long>(last_sent_line);
		if (first == last)
			std::fprintf(err_, "dlifctl: line %llu was already in flight and has been "
					   "processed\n", first);
		else
			std::fprintf(err_, "dlifctl: lines %llu-%llu were already in flight and have "
					   "been processed (failures among them are reported above)\n",
				     first, last);
	}
	std::fflush(out_);
	return status;
}

}  // namespace dlif::cli
