// SPDX-License-Identifier: GPL-2.0
//
// The control protocol of dlifd's UNIX socket (default /run/dlifd/dlifd.sock),
// shared by the daemon and dlifctl. One JSON object per line each way:
//
//   {"command":"status"}                          -> {"ok":true,"result":{...}}
//   {"command":"mn-list"}                         -> {"ok":true,"result":[...]}
//   {"command":"mn-list","limit":N[,"after":C]}   -> {"ok":true,"result":
//                                                      {"nodes":[...],"next":C|null}}
//     one page: at most N (1 to kMaxPage) nodes in list order, after the
//     cursor C of the previous page ("next"; null on the last page). The
//     unpaged form answers every node in one line, which the client's
//     buffers may not hold beyond some 100k nodes: dlifctl pages.
//   {"command":"mn-show","mn":"ID-OR-MAC"}
//   {"command":"counters"}
//   {"command":"attach","interface":"eth1","mac":"02:00:00:00:00:01"}
//   {"command":"detach","mac":"02:00:00:00:00:01"}
//   anything refused                              -> {"ok":false,"error":"..."}
//
// A connection may carry any number of requests; each gets one reply, in
// order. Pure encoding and decoding here; no sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "dlif/result.hpp"

namespace dlif::control {

using Json = nlohmann::json;

struct StatusRequest {
	friend bool operator==(const StatusRequest &, const StatusRequest &) = default;
};
struct MnListRequest {
	std::optional<std::uint32_t> limit;	// paged when set
	std::optional<std::string> after;	// a previous page's "next"
	friend bool operator==(const MnListRequest &, const MnListRequest &) = default;
};

// The largest page a daemon answers: about 10 MB of JSON, a few tens of
// milliseconds of its event loop at most.
inline constexpr std::uint32_t kMaxPage = 10000;
struct MnShowRequest {
	std::string mn;		// an MN-ID (NAI) or a MAC
	friend bool operator==(const MnShowRequest &, const MnShowRequest &) = default;
};
struct CountersRequest {
	friend bool operator==(const CountersRequest &, const CountersRequest &) = default;
};
struct AttachRequest {
	std::string interface;
	std::string mac;
	friend bool operator==(const AttachRequest &, const AttachRequest &) = default;
};
struct DetachRequest {
	std::string mac;
	friend bool operator==(const DetachRequest &, const DetachRequest &) = default;
};

using Request =
	std::variant<StatusRequest, MnListRequest, MnShowRequest, CountersRequest, AttachRequest, DetachRequest>;

// Longest request line the daemon reads; a longer one closes the connection.
inline constexpr std::size_t kMaxRequestBytes = 4096;

// One line, without its newline.
std::string encode_request(const Request &request);
dlif::Result<Request, std::string> decode_request(std::string_view line);

struct Reply {
	bool ok = false;
	Json result;		// when ok
	std::string error;	// when not
};

std::string encode_reply(const Reply &reply);
Reply success(Json result);
Reply failure(std::string message);
dlif::Result<Reply, std::string> decode_reply(std::string_view line);

} // namespace dlif::control
