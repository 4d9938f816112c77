// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/dlif_client.hpp"

#include <linux/dlif.h>
#include <linux/genetlink.h>

#include <cerrno>

#include "dlif/nl/dlif_codec.hpp"

namespace dlif::nl {

namespace {

Result<std::pair<Socket, Family>> open_family_socket()
{
	auto socket = Socket::open(NETLINK_GENERIC);
	if (!socket)
		return socket.error();
	auto family = resolve_family(*socket, DLIF_FAMILY_NAME);
	if (!family) {
		Error error = family.error();
		if (error.code == ENOENT)
			error.message = "the kernel has no dlif generic netlink family "
					"(is dlif.ko loaded?)";
		return error;
	}
	return std::pair{std::move(*socket), std::move(*family)};
}

Status encoded(std::size_t size)
{
	if (size == 0)
		return make_error(EMSGSIZE, "dlif request does not fit its buffer");
	return {};
}

}  // namespace

Result<DlifClient> DlifClient::open()
{
	auto opened = open_family_socket();
	if (!opened)
		return opened.error();
	return DlifClient(std::move(opened->first), std::move(opened->second));
}

DlifClient::DlifClient(Socket socket, Family family)
	: socket_(std::move(socket)), family_(std::move(family)), buffer_(max_dlif_message_bytes)
{
}

Status DlifClient::apply(const EntryOp &op)
{
	std::size_t size = encode_entry_op(buffer(), next_address(), op);
	if (auto status = encoded(size); !status)
		return status;
	return transact(socket_, buffer().first(size));
}

Status DlifClient::add_entry(const Entry &entry)
{
	return apply({EntryOpKind::add, entry});
}

Status DlifClient::replace_entry(const Entry &entry)
{
	return apply({EntryOpKind::replace, entry});
}

Status DlifClient::remove_entry(const Ipv6Prefix &prefix)
{
	Entry key;
	key.prefix = prefix;
	return apply({EntryOpKind::remove, key});
}

Result<Entry> DlifClient::get_entry(const Ipv6Prefix &prefix)
{
	std::size_t size = encode_entry_get(buffer(), next_address(), prefix);
	if (auto status = encoded(size); !status)
		return status.error();
	std::optional<Entry> found;
	Status status = transact(socket_, buffer().first(size), [&](const nlmsghdr &msg) -> Status {
		auto entry = decode_entry(msg);
		if (!entry)
			return entry.error();
		found = std::move(*entry);
		return {};
	});
	if (!status)
		return status.error();
	if (!found)
		return make_error(EBADMSG, "no entry in the kernel's reply");
	return std::move(*found);
}

Result<DumpSummary> DlifClient::dump_entries(const EntryFilter &filter, const EntryVisitor &visit)
{
	std::size_t size = encode_entry_dump(buffer(), next_address(), filter);
	if (auto status = encoded(size); !status)
		return status.error();
	return dump(socket_, buffer().first(size), [&](const nlmsghdr &msg) -> Status {
		if (msg.nlmsg_type != family_.id)
			return {};
		auto entry = decode_entry(msg);
		if (!entry)
			return entry.error();
		return visit(*entry);
	});
}

Result<std::vector<Entry>> DlifClient::list_entries(const EntryFilter &filter)
{
	std::vector<Entry> entries;
	auto summary = dump_entries(filter, [&](const Entry &entry) -> Status {
		entries.push_back(entry);
		return {};
	});
	if (!summary)
		return summary.error();
	if (summary->interrupted)
		return make_error(EINTR, "dump interrupted by a concurrent change");
	return entries;
}

Status DlifClient::flush_entries(const FlushFilter &filter)
{
	std::size_t size = encode_entry_flush(buffer(), next_address(), filter);
	if (auto status = encoded(size); !status)
		return status;
	return transact(socket_, buffer().first(size));
}

Result<DlifDevice> DlifClient::get_device(uint32_t ifindex)
{
	std::size_t size = encode_device_get(buffer(), next_address(), ifindex);
	if (auto status = encoded(size); !status)
		return status.error();
	std::optional<DlifDevice> found;
	Status status = transact(socket_, buffer().first(size), [&](const nlmsghdr &msg) -> Status {
		auto device = decode_device(msg);
		if (!device)
			return device.error();
		found = std::move(*device);
		return {};
	});
	if (!status)
		return status.error();
	if (!found)
		return make_error(EBADMSG, "no device in the kernel's reply");
	return std::move(*found);
}

Result<DumpSummary> DlifClient::dump_devices(const DeviceVisitor &visit)
{
	std::size_t size = encode_device_dump(buffer(), next_address());
	if (auto status = encoded(size); !status)
		return status.error();
	return dump(socket_, buffer().first(size), [&](const nlmsghdr &msg) -> Status {
		if (msg.nlmsg_type != family_.id)
			return {};
		auto device = decode_device(msg);
		if (!device)
			return device.error();
		return visit(*device);
	});
}

Result<std::vector<DlifDevice>> DlifClient::list_devices()
{
	std::vector<DlifDevice> devices;
	auto summary = dump_devices([&](const DlifDevice &device) -> Status {
		devices.push_back(device);
		return {};
	});
	if (!summary)
		return summary.error();
	if (summary->interrupted)
		return make_error(EINTR, "dump interrupted by a concurrent change");
	return devices;
}

Status DlifClient::set_device(const DeviceUpdate &update)
{
	std::size_t size = encode_device_set(buffer(), next_address(), update);
	if (auto status = encoded(size); !status)
		return status;
	return transact(socket_, buffer().first(size));
}

Status DlifClient::add_bindings(std::span<const Binding> bindings)
{
	std::size_t size = encode_binding_ops(buffer(), next_address(), true, bindings);
	if (auto status = encoded(size); !status)
		return status;
	return transact(socket_, buffer().first(size));
}

Status DlifClient::remove_bindings(std::span<const Binding> bindings)
{
	std::size_t size = encode_binding_ops(buffer(), next_address(), false, bindings);
	if (auto status = encoded(size); !status)
		return status;
	return transact(socket_, buffer().first(size));
}

Result<DumpSummary> DlifClient::dump_bindings(std::optional<uint32_t> ifindex,
					      const BindingVisitor &visit, std::optional<MacAddress> mn)
{
	std::size_t size = encode_binding_dump(buffer(), next_address(), ifindex, mn);
	if (auto status = encoded(size); !status)
		return status.error();
	return dump(socket_, buffer().first(size), [&](const nlmsghdr &msg) -> Status {
		if (msg.nlmsg_type != family_.id)
			return {};
		auto binding = decode_binding(msg);
		if (!binding)
			return binding.error();
		return visit(*binding);
	});
}

// ---- batches -------------------------------------------------------------

EntryPipeline::EntryPipeline(DlifClient &client, FailureHandler on_failure, PipelineOptions options)
	: family_(client.family().id), pipeline_(client.socket(), std::move(on_failure), options)
{
}

Status EntryPipeline::push(const EntryOp &op, uint64_t tag)
{
	return pipeline_.add(tag, [&](std::span<std::byte> space, uint32_t seq) {
		return encode_entry_op(space, {family_, seq}, op);
	});
}

Status EntryPipeline::flush()
{
	return pipeline_.flush();
}

BatchReport apply_batch(DlifClient &client, std::span<const EntryOp> ops, bool stop_at_first_error,
			PipelineOptions options)
{
	BatchReport report;
	EntryPipeline pipeline(
		client,
		[&](uint64_t tag, const Error &error) {
			report.failures.push_back({static_cast<std::size_t>(tag), error});
		},
		options);
	for (std::size_t i = 0; i < ops.size(); ++i) {
		if (stop_at_first_error && !report.failures.empty())
			break;
		if (report.transport = pipeline.push(ops[i], i); !report.transport)
			break;
	}
	if (report.transport)
		report.transport = pipeline.flush();
	report.sent = pipeline.sent();
	return report;
}

// ---- notifications ---------------------------------------------------------

Result<DlifMonitor> DlifMonitor::open(bool with_bindings)
{
	auto opened = open_family_socket();
	if (!opened)
		return opened.error();
	auto &[socket, family] = *opened;
	std::vector<const char *> groups{DLIF_MCGRP_ENTRIES};
	if (with_bindings)
		groups.push_back(DLIF_MCGRP_BINDINGS);
	for (const char *name : groups) {
		auto group = family.group_id(name);
		if (!group)
			return make_error(ENOENT, std::string("the dlif family has no \"") + name +
							  "\" multicast group (is dlif.ko older than dlifctl?)");
		if (auto joined = socket.join_group(*group); !joined)
			return joined.error();
	}
	// Bursts (a flush of 100k entries) should not overflow the default
	// receive buffer before the reader catches up.
	socket.grow_buffers(16 << 20, 0);
	return DlifMonitor(std::move(socket), std::move(family));
}

Status DlifMonitor::receive(const NotificationHandler &on_event, const BindingHandler &on_binding)
{
	auto datagram = socket_.receive();
	if (!datagram)
		return datagram.error();
	Status first_error;
	const auto note = [&](const Error &error) {
		if (first_error.ok())
			first_error = error;
	};
	bool whole = for_each_message(*datagram, [&](const nlmsghdr &msg) {
		if (msg.nlmsg_type != family_.id)
			return true;
		const auto command = genl_command(msg);
		if (command == DLIF_CMD_BINDING_NEW || command == DLIF_CMD_BINDING_DEL) {
			auto notification = decode_binding_notification(msg);
			if (!notification)
				note(notification.error());
			else if (on_binding)
				on_binding(*notification);
			return true;
		}
		auto notification = decode_notification(msg);
		if (notification)
			on_event(*notification);
		else
			note(notification.error());
		return true;
	});
	if (!whole && first_error.ok())
		first_error = make_error(EBADMSG, "truncated netlink message");
	return first_error;
}

}  // namespace dlif::nl
