// SPDX-License-Identifier: GPL-2.0
//
// The JSON state file of earlier dlifds (the state is now in the state
// database, state_db.hpp, which a first start migrates this file to): a
// core's snapshot with what it belongs to, written
// atomically (a temporary file, fsync, rename, fsync of the directory), so
// that a crash or power cut at any moment leaves either the previous state
// or the new one, never a torn file. Snapshots are coalesced by the caller
// (one save per event-loop iteration at most).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dlif/mh/result.hpp"

namespace dlif::daemon {

struct SavedState {
	std::string role;		// "cmd" or "maar"
	std::string address;		// the node's address when it was saved
	std::int64_t saved_at_ms = 0;	// wall clock, ms since 1970
	std::string core;		// the core's snapshot (JSON text)

	friend bool operator==(const SavedState &, const SavedState &) = default;
};

// The file's text: {"format":"dlifd-state","version":1,"role":...,
// "address":...,"saved_at_ms":...,"core":<the snapshot>}.
std::string encode_state(const SavedState &state);
mh::Result<SavedState, std::string> decode_state(std::string_view text);

class StateStore {
public:
	StateStore(std::string directory, std::string_view role);

	const std::string &path() const noexcept { return path_; }

	// Creates the directory (mode 0700) when it does not exist.
	mh::Result<bool, std::string> prepare() const;
	// nullopt when there is no state file (a first start).
	mh::Result<std::optional<SavedState>, std::string> load() const;
	mh::Result<bool, std::string> save(const SavedState &state) const;
	// Moves an unusable file aside (FILE.bad-<ms>) for an operator to look
	// at, so that the next save does not overwrite the evidence.
	std::optional<std::string> quarantine(std::int64_t now_ms) const;
	// Moves the file aside once its state is in the database
	// (FILE.migrated), so that it is never read again; the new name.
	std::optional<std::string> mark_migrated() const;

private:
	std::string directory_;
	std::string path_;
};

} // namespace dlif::daemon
