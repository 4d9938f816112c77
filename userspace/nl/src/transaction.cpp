// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/transaction.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dlif::nl {

ReplyTracker::ReplyTracker(uint32_t seq, uint32_t port_id, RequestKind kind, ReplyHandler on_reply)
	: seq_(seq), port_id_(port_id), kind_(kind), on_reply_(std::move(on_reply))
{
}

void ReplyTracker::feed(std::span<const std::byte> datagram)
{
	if (finished_)
		return;
	bool whole = for_each_message(datagram, [this](const nlmsghdr &msg) { return take(msg); });
	if (!whole && !finished_)
		finish(make_error(EBADMSG, "truncated netlink message"));
}

void ReplyTracker::finish(Status outcome)
{
	finished_ = true;
	// A failing reply handler wins over the kernel's success.
	if (outcome.ok() && !handler_status_.ok())
		outcome_ = handler_status_;
	else
		outcome_ = std::move(outcome);
}

bool ReplyTracker::take(const nlmsghdr &msg)
{
	if (msg.nlmsg_seq != seq_ || (msg.nlmsg_pid != 0 && msg.nlmsg_pid != port_id_))
		return true;
	if (msg.nlmsg_flags & NLM_F_DUMP_INTR)
		interrupted_ = true;
	switch (msg.nlmsg_type) {
	case NLMSG_NOOP:
		return true;
	case NLMSG_OVERRUN:
		finish(make_error(ENOBUFS, "netlink overrun"));
		return false;
	case NLMSG_ERROR: {
		auto ack = parse_error_message(msg);
		if (!ack) {
			finish(make_error(EBADMSG, "malformed netlink error message"));
			return false;
		}
		if (ack->error == 0) {
			if (!ack->message.empty())
				warnings_.push_back(ack->message);
			finish({});
		} else {
			finish(ack->to_error());
		}
		return false;
	}
	case NLMSG_DONE:
		if (kind_ == RequestKind::dump) {
			Ack done = parse_done_message(msg);
			if (done.error == 0) {
				if (!done.message.empty())
					warnings_.push_back(done.message);
				finish({});
			} else {
				finish(done.to_error());
			}
			return false;
		}
		return true;
	default:
		++replies_;
		if (on_reply_ && handler_status_.ok())
			handler_status_ = on_reply_(msg);
		return true;
	}
}

namespace {

Result<ReplyTracker> run(Socket &socket, std::span<const std::byte> request, RequestKind kind,
			 const ReplyHandler &on_reply)
{
	if (request.size() < sizeof(nlmsghdr))
		return make_error(EINVAL, "request shorter than a netlink header");
	nlmsghdr header;
	std::memcpy(&header, request.data(), sizeof(header));
	ReplyTracker tracker(header.nlmsg_seq, socket.port_id(), kind, on_reply);
	if (auto sent = socket.send(request); !sent)
		return sent.error();
	while (!tracker.finished()) {
		auto datagram = socket.receive();
		if (!datagram)
			return datagram.error();
		tracker.feed(*datagram);
	}
	for (const auto &warning : tracker.warnings())
		socket.warn(warning);
	return tracker;
}

}  // namespace

Status transact(Socket &socket, std::span<const std::byte> request, const ReplyHandler &on_reply)
{
	auto tracker = run(socket, request, RequestKind::acked, on_reply);
	if (!tracker)
		return tracker.error();
	return tracker->outcome();
}

Result<DumpSummary> dump(Socket &socket, std::span<const std::byte> request,
			 const ReplyHandler &on_reply)
{
	auto tracker = run(socket, request, RequestKind::dump, on_reply);
	if (!tracker)
		return tracker.error();
	if (!tracker->outcome())
		return tracker->outcome().error();
	return DumpSummary{tracker->replies(), tracker->interrupted()};
}

// ---- Pipeline ----------------------------------------------------------

namespace {

// What one ack costs in the receiver's buffer accounting (skb truesize):
// a 36-byte ack lands in a 512-byte slab plus struct sk_buff and shared
// info (about 768 bytes); an error with an extack message can reach the
// next slab size. Err on the side of fewer requests in flight.
constexpr std::size_t ack_truesize_estimate = 1280;
constexpr std::size_t ack_slot_bytes = 4096;
constexpr std::size_t ack_slots = 64;
// Ask for generous socket buffers: acks for a whole chunk must fit.
constexpr int wanted_receive_buffer = 8 << 20;
constexpr int wanted_send_buffer = 4 << 20;
// netlink_sendmsg refuses messages longer than sk_sndbuf - 32.
constexpr std::size_t send_overhead = 32;

}  // namespace

Pipeline::Pipeline(Socket &socket, FailureHandler on_failure, PipelineOptions options)
	: socket_(socket), on_failure_(std::move(on_failure)), first_seq_(socket.peek_seq())
{
	socket_.grow_buffers(wanted_receive_buffer, wanted_send_buffer);
	std::size_t ack_room = std::max<std::size_t>(1, socket_.receive_buffer_size() / ack_truesize_estimate);
	max_in_flight_ = options.max_in_flight ? std::min(options.max_in_flight, ack_room) : ack_room;
	std::size_t send_room = socket_.send_buffer_size();
	std::size_t chunk = options.chunk_bytes;
	if (send_room > send_overhead + NLMSG_HDRLEN)
		chunk = std::min(chunk, send_room - send_overhead);
	requests_.resize(std::max<std::size_t>(chunk, NLMSG_HDRLEN));
	ack_arena_.resize(ack_slot_bytes * ack_slots);
	tags_.reserve(max_in_flight_);
}

std::span<std::byte> Pipeline::free_space()
{
	return std::span(requests_).subspan(used_);
}

Status Pipeline::commit(std::size_t size, uint64_t tag)
{
	socket_.next_seq();
	tags_.push_back(tag);
	used_ += NLMSG_ALIGN(size);
	if (tags_.size() >= max_in_flight_ || used_ + NLMSG_HDRLEN > requests_.size())
		return flush();
	return {};
}

Status Pipeline::flush()
{
	if (!broken_.ok())
		return broken_;
	if (tags_.empty())
		return {};
	if (auto status = socket_.send(std::span(requests_).first(used_)); !status) {
		broken_ = status;
		return status;
	}
	sent_ += tags_.size();
	Status status = collect_acks();
	if (!status)
		broken_ = status;
	tags_.clear();
	used_ = 0;
	return status;
}

Status Pipeline::collect_acks()
{
	std::size_t acked = 0;
	std::size_t lengths[ack_slots];
	uint32_t port_id = socket_.port_id();
	while (acked < tags_.size()) {
		auto got = socket_.receive_many(ack_arena_, ack_slot_bytes, lengths);
		if (!got)
			return got.error();
		for (std::size_t i = 0; i < *got; ++i) {
			auto datagram = std::span(ack_arena_).subspan(i * ack_slot_bytes, lengths[i]);
			bool whole = for_each_message(datagram, [&](const nlmsghdr &msg) {
				if (msg.nlmsg_type != NLMSG_ERROR ||
				    (msg.nlmsg_pid != 0 && msg.nlmsg_pid != port_id))
					return true;
				uint32_t index = msg.nlmsg_seq - first_seq_;
				if (index >= tags_.size())
					return true;	// not one of ours: a stale answer
				++acked;
				auto ack = parse_error_message(msg);
				if (!ack) {
					++failed_;
					if (on_failure_)
						on_failure_(tags_[index],
							    make_error(EBADMSG, "malformed netlink ack"));
				} else if (ack->error != 0) {
					++failed_;
					if (on_failure_)
						on_failure_(tags_[index], ack->to_error());
				} else if (!ack->message.empty()) {
					socket_.warn(ack->message);
				}
				return true;
			});
			if (!whole)
				return make_error(EBADMSG, "truncated netlink ack");
		}
	}
	return {};
}

}  // namespace dlif::nl
