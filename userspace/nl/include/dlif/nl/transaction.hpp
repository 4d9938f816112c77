// SPDX-License-Identifier: GPL-2.0
//
// The three ways a request goes to the kernel:
//   transact()  one request, its replies, then its ack;
//   dump()      one NLM_F_DUMP request and the multipart stream answering it;
//   Pipeline    many requests per sendmsg, each with NLM_F_ACK and its own
//               sequence number, and their acks read back in bulk.
// ReplyTracker is the pure part: it follows one request through the
// datagrams that answer it, so the matching rules are tested without a
// kernel.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "dlif/nl/message.hpp"
#include "dlif/nl/result.hpp"
#include "dlif/nl/socket.hpp"

namespace dlif::nl {

// Called for each reply message; an error stops the callbacks (the rest
// of the answer is still read, so the socket stays usable) and becomes the
// outcome of the request.
using ReplyHandler = std::function<Status(const nlmsghdr &)>;

enum class RequestKind {
	acked,	// NLM_F_ACK: ends with NLMSG_ERROR (error 0 = success)
	dump,	// NLM_F_DUMP: ends with NLMSG_DONE, or NLMSG_ERROR if refused
};

class ReplyTracker {
public:
	ReplyTracker(uint32_t seq, uint32_t port_id, RequestKind kind, ReplyHandler on_reply);

	// Takes one received datagram. Messages for other sequence numbers
	// (late answers to abandoned requests) are skipped.
	void feed(std::span<const std::byte> datagram);

	bool finished() const { return finished_; }
	// Some message carried NLM_F_DUMP_INTR: the table changed during the
	// dump, which may have missed or repeated entries.
	bool interrupted() const { return interrupted_; }
	std::size_t replies() const { return replies_; }
	// Kernel warnings seen (acks with error 0 and a message).
	const std::vector<std::string> &warnings() const { return warnings_; }
	// Meaningful once finished().
	const Status &outcome() const { return outcome_; }

private:
	bool take(const nlmsghdr &msg);
	void finish(Status outcome);

	uint32_t seq_;
	uint32_t port_id_;
	RequestKind kind_;
	ReplyHandler on_reply_;
	bool finished_ = false;
	bool interrupted_ = false;
	std::size_t replies_ = 0;
	std::vector<std::string> warnings_;
	Status handler_status_;
	Status outcome_;
};

Status transact(Socket &socket, std::span<const std::byte> request,
		const ReplyHandler &on_reply = {});

struct DumpSummary {
	std::size_t replies = 0;
	bool interrupted = false;
};

Result<DumpSummary> dump(Socket &socket, std::span<const std::byte> request,
			 const ReplyHandler &on_reply);

struct PipelineOptions {
	// Requests written per sendmsg at most, in bytes.
	std::size_t chunk_bytes = 256 * 1024;
	// Requests awaiting their ack at most; 0 = as many as the socket's
	// receive buffer can hold acks for (each ack is its own skb, and the
	// kernel drops acks that do not fit, so this bound is what keeps the
	// pipeline lossless).
	std::size_t max_in_flight = 0;
};

// Writes many acked requests per sendmsg and reads their acks in bulk.
// The caller hands each request as an encoder, tagged with a number of its
// choosing (an index, a line number); failures come back with that tag.
// The socket must not be used for anything else until flush() returned.
class Pipeline {
public:
	using FailureHandler = std::function<void(uint64_t tag, const Error &error)>;

	Pipeline(Socket &socket, FailureHandler on_failure, PipelineOptions options = {});
	Pipeline(const Pipeline &) = delete;
	Pipeline &operator=(const Pipeline &) = delete;

	// encode(std::span<std::byte> space, uint32_t seq) -> std::size_t writes one
	// request with NLM_F_REQUEST | NLM_F_ACK and that seq, and returns its
	// size, or 0 when it does not fit. The returned Status is a transport
	// failure (the pipeline is then unusable); a refused request goes to
	// the FailureHandler instead.
	template <typename Encode>
	Status add(uint64_t tag, Encode &&encode)
	{
		if (!broken_.ok())
			return broken_;
		for (int attempt = 0; attempt < 2; ++attempt) {
			if (tags_.empty())
				first_seq_ = socket_.peek_seq();
			uint32_t seq = first_seq_ + static_cast<uint32_t>(tags_.size());
			std::size_t size = encode(free_space(), seq);
			if (size > 0)
				return commit(size, tag);
			if (tags_.empty())
				break;
			if (auto status = flush(); !status)
				return status;
		}
		return make_error(EMSGSIZE, "request larger than the pipeline's buffer");
	}

	// Sends what is queued and waits for every outstanding ack.
	Status flush();

	std::size_t sent() const { return sent_; }
	std::size_t failed() const { return failed_; }
	std::size_t max_in_flight() const { return max_in_flight_; }

private:
	std::span<std::byte> free_space();
	Status commit(std::size_t size, uint64_t tag);
	Status collect_acks();

	Socket &socket_;
	FailureHandler on_failure_;
	std::size_t max_in_flight_;
	std::vector<std::byte> requests_;
	std::size_t used_ = 0;
	uint32_t first_seq_;
	std::vector<uint64_t> tags_;	// of the queued requests, by seq - first_seq_
	std::vector<std::byte> ack_arena_;
	std::size_t sent_ = 0;
	std::size_t failed_ = 0;
	Status broken_;
};

}  // namespace dlif::nl
