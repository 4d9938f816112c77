// SPDX-License-Identifier: GPL-2.0
//
// `dlifctl metrics`: the daemon's counters and the kernel table's, in the
// Prometheus text exposition format (version 0.0.4), for the node
// exporter's textfile collector (contrib/systemd/dlif-metrics.*). Pure:
// the runner gathers, this writes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "dlif/control/protocol.hpp"
#include "dlif/nl/dlif_types.hpp"

namespace dlif::cli {

// The kernel table of this namespace, summed per role: per-entry series
// would be one per node prefix, hundreds of thousands on a busy MAAR.
struct KernelTotals {
	struct PerRole {
		std::uint64_t entries = 0;
		nl::EntryStats stats;
	};
	std::array<PerRole, 5> roles;	// anchor, serving, local-net, local-export, attached

	void add(const nl::Entry &entry);
};

struct MetricsInput {
	// Empty when no dlifd answered on the control socket.
	std::optional<control::Json> status;
	std::optional<control::Json> counters;
	// Empty when the dlif family is not there (module not loaded).
	std::optional<KernelTotals> kernel;
};

std::string prometheus_text(const MetricsInput &input);

} // namespace dlif::cli
