// SPDX-License-Identifier: GPL-2.0
//
// The typed client of the dlif generic netlink family: entries (add,
// replace, remove, get, dump, flush, and pipelined batches of add /
// replace / remove), DLIF devices (get, dump, set) and the "entries"
// notification group. Each object owns its own netlink socket; none is
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "dlif/nl/dlif_codec.hpp"
#include "dlif/nl/dlif_types.hpp"
#include "dlif/nl/genl.hpp"
#include "dlif/nl/result.hpp"
#include "dlif/nl/socket.hpp"
#include "dlif/nl/transaction.hpp"

namespace dlif::nl {

class DlifClient {
public:
	// Opens a socket and resolves the family (which loads dlif.ko when
	// needed). ENOENT when the kernel has no dlif family.
	static Result<DlifClient> open();

	const Family &family() const { return family_; }
	Socket &socket() { return socket_; }

	Status add_entry(const Entry &entry);		// EEXIST if the prefix has one
	Status replace_entry(const Entry &entry);	// creates or atomically replaces
	Status remove_entry(const Ipv6Prefix &prefix);	// ENOENT if absent
	Status apply(const EntryOp &op);
	Result<Entry> get_entry(const Ipv6Prefix &prefix);	// with stats

	// Streams the table: visit runs for each entry as its message arrives,
	// so memory does not grow with the table. An error from visit stops
	// the visits and is returned once the dump has been drained.
	using EntryVisitor = std::function<Status(const Entry &)>;
	Result<DumpSummary> dump_entries(const EntryFilter &filter, const EntryVisitor &visit);
	Result<std::vector<Entry>> list_entries(const EntryFilter &filter = {});
	Status flush_entries(const FlushFilter &filter = {});

	Result<DlifDevice> get_device(uint32_t ifindex);
	using DeviceVisitor = std::function<Status(const DlifDevice &)>;
	Result<DumpSummary> dump_devices(const DeviceVisitor &visit);
	Result<std::vector<DlifDevice>> list_devices();
	Status set_device(const DeviceUpdate &update);

	// BINDING_NEW / _DEL: applied in order in one request; the first one
	// refused ends it, those before it stay.
	Status add_bindings(std::span<const Binding> bindings);
	Status remove_bindings(std::span<const Binding> bindings);
	using BindingVisitor = std::function<Status(const Binding &)>;
	Result<DumpSummary> dump_bindings(std::optional<uint32_t> ifindex,
					  const BindingVisitor &visit,
					  std::optional<MacAddress> mn = std::nullopt);

private:
	DlifClient(Socket socket, Family family);

	DlifAddressing next_address() { return {family_.id, socket_.next_seq()}; }
	std::span<std::byte> buffer() { return buffer_; }

	Socket socket_;
	Family family_;
	std::vector<std::byte> buffer_;
};

// Add / replace / remove requests, many per sendmsg, acks read in bulk
// (see Pipeline). Requests are applied in the order they are pushed; a
// refused one does not stop those already sent after it. Use the client
// for nothing else until flush() returned.
class EntryPipeline {
public:
	using FailureHandler = Pipeline::FailureHandler;

	EntryPipeline(DlifClient &client, FailureHandler on_failure, PipelineOptions options = {});

	// tag comes back with the request's error if the kernel refuses it.
	Status push(const EntryOp &op, uint64_t tag);
	Status flush();

	std::size_t sent() const { return pipeline_.sent(); }
	std::size_t failed() const { return pipeline_.failed(); }

private:
	uint16_t family_;
	Pipeline pipeline_;
};

struct BatchFailure {
	std::size_t index = 0;	// into the ops given to apply_batch
	Error error;
};

struct BatchReport {
	std::size_t sent = 0;			// requests the kernel processed
	std::vector<BatchFailure> failures;	// in request order
	Status transport;			// a socket failure ends the batch early

	bool ok() const { return transport.ok() && failures.empty(); }
};

// Applies ops through an EntryPipeline. With stop_at_first_error nothing
// is pushed after a failure has been seen; requests already in flight at
// that moment are still processed and reported.
BatchReport apply_batch(DlifClient &client, std::span<const EntryOp> ops,
			bool stop_at_first_error = false, PipelineOptions options = {});

// A subscription to the "entries" multicast group, and to "bindings" when
// asked for.
class DlifMonitor {
public:
	static Result<DlifMonitor> open(bool with_bindings = false);

	int fd() const { return socket_.fd(); }

	// Waits for one datagram and hands each entry notification in it to
	// on_event, each binding notification to on_binding (if given). ENOBUFS
	// means notifications were lost because they came faster than they
	// were read; the monitor stays usable after it. A malformed
	// notification is skipped and reported (EBADMSG) after the rest of the
	// datagram was handled.
	using NotificationHandler = std::function<void(const Notification &)>;
	using BindingHandler = std::function<void(const BindingNotification &)>;
	Status receive(const NotificationHandler &on_event, const BindingHandler &on_binding = {});

private:
	DlifMonitor(Socket socket, Family family) : socket_(std::move(socket)), family_(std::move(family)) {}

	Socket socket_;
	Family family_;
};

}  // namespace dlif::nl
