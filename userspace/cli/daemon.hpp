// SPDX-License-Identifier: GPL-2.0
//
// dlifctl's commands for a running dlifd (status, mn list, mn show,
// counters, attach, detach): the request each command makes, the text
// rendering of the replies (pure, tested), and the exchange over the
// control socket (one JSON line each way; see
// userspace/control/include/dlif/control/protocol.hpp).
#pragma once

#include <string>

#include "args.hpp"
#include "dlif/control/protocol.hpp"
#include "dlif/nl/result.hpp"

namespace dlif::cli {

// The request of a daemon command (is_daemon_command() must hold).
control::Request daemon_request(const Command &command);

// Text for a successful reply, in the style of the other commands:
//   status    one "key value" line per item
//   mn list   one block per node: a first line "MN-ID key value ...",
//   mn show   then nested objects and lists indented below it
//   counters  "core:" and "daemon:" with one "name value" line each
//   attach / detach  nothing
std::string format_daemon_result(const Command &command, const control::Json &result);

// One node as "mn list" prints it.
std::string format_mobile_node(const control::Json &node);

// Sends one request and reads its reply. A failure to connect or to read
// is "cannot reach dlifd at PATH: REASON".
nl::Result<control::Reply> ask_daemon(const std::string &socket_path, const control::Request &request);

}  // namespace dlif::cli
