// SPDX-License-Identifier: GPL-2.0
#include "state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "dlif/unique_fd.hpp"

namespace dlif::daemon {

namespace {

constexpr std::string_view kFormat = "dlifd-state";
constexpr int kVersion = 1;

std::string errno_text(std::string_view what, const std::string &path)
{
	return std::string(what) + " " + path + ": " + std::strerror(errno);
}

bool write_all(int fd, std::string_view bytes)
{
	while (!bytes.empty()) {
		const ssize_t n = ::write(fd, bytes.data(), bytes.size());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		bytes.remove_prefix(static_cast<std::size_t>(n));
	}
	return true;
}

} // namespace

std::string encode_state(const SavedState &state)
{
	nlohmann::json file{{"format", kFormat},	{"version", kVersion},
			    {"role", state.role},	{"address", state.address},
			    {"saved_at_ms", state.saved_at_ms}};
	// The snapshot is embedded as JSON when it is JSON (readable with jq),
	// as a string otherwise.
	auto core = nlohmann::json::parse(state.core, nullptr, false);
	file["core"] = core.is_discarded() ? nlohmann::json(state.core) : std::move(core);
	return file.dump(1, '\t') + "\n";
}

mh::Result<SavedState, std::string> decode_state(std::string_view text)
{
	const auto file = nlohmann::json::parse(text, nullptr, false);
	if (file.is_discarded() || !file.is_object())
		return mh::unexpected(std::string("not a JSON object"));
	try {
		if (file.at("format") != kFormat)
			return mh::unexpected(std::string("not a dlifd state file"));
		if (file.at("version") != kVersion)
			return mh::unexpected("state file version " + file.at("version").dump() + " is not supported");
		SavedState state;
		state.role = file.at("role").get<std::string>();
		state.address = file.at("address").get<std::string>();
		state.saved_at_ms = file.at("saved_at_ms").get<std::int64_t>();
		const auto &core = file.at("core");
		state.core = core.is_string() ? core.get<std::string>() : core.dump();
		return state;
	} catch (const nlohmann::json::exception &error) {
		return mh::unexpected(std::string("malformed state file: ") + error.what());
	}
}

StateStore::StateStore(std::string directory, std::string_view role)
	: directory_(std::move(directory)), path_(directory_ + "/" + std::string(role) + ".state.json")
{
}

mh::Result<bool, std::string> StateStore::prepare() const
{
	if (::mkdir(directory_.c_str(), 0700) == 0 || errno == EEXIST) {
		struct stat st {};
		if (::stat(directory_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
			return true;
		return mh::unexpected(directory_ + " is not a directory");
	}
	return mh::unexpected(errno_text("cannot create", directory_));
}

mh::Result<std::optional<SavedState>, std::string> StateStore::load() const
{
	UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd) {
		if (errno == ENOENT)
			return std::optional<SavedState>();
		return mh::unexpected(errno_text("cannot open", path_));
	}
	std::string text;
	char chunk[65536];
	for (;;) {
		const ssize_t n = ::read(fd.get(), chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mh::unexpected(errno_text("cannot read", path_));
		}
		if (n == 0)
			break;
		text.append(chunk, static_cast<std::size_t>(n));
	}
	auto state = decode_state(text);
	if (!state)
		return mh::unexpected(path_ + ": " + state.error());
	return std::optional<SavedState>(std::move(*state));
}

mh::Result<bool, std::string> StateStore::save(const SavedState &state) const
{
	const std::string temporary = path_ + ".tmp";
	const std::string text = encode_state(state);
	{
		UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
		if (!fd)
			return mh::unexpected(errno_text("cannot create", temporary));
		if (!write_all(fd.get(), text) || ::fsync(fd.get()) < 0) {
			auto message = errno_text("cannot write", temporary);
			::unlink(temporary.c_str());
			return mh::unexpected(message);
		}
	}
	if (::rename(temporary.c_str(), path_.c_str()) < 0) {
		auto message = errno_text("cannot rename to", path_);
		::unlink(temporary.c_str());
		return mh::unexpected(message);
	}
	// The rename is durable only once the directory is on disk too.
	UniqueFd directory(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (directory)
		::fsync(directory.get());
	return true;
}

std::optional<std::string> StateStore::quarantine(std::int64_t now_ms) const
{
	const std::string aside = path_ + ".bad-" + std::to_string(now_ms);
	if (::rename(path_.c_str(), aside.c_str()) < 0)
		return std::nullopt;
	return aside;
}

std::optional<std::string> StateStore::mark_migrated() const
{
	const std::string aside = path_ + ".migrated";
	if (::rename(path_.c_str(), aside.c_str()) < 0)
		return std::nullopt;
	return aside;
}

} // namespace dlif::daemon
