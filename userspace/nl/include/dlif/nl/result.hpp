// SPDX-License-Identifier: GPL-2.0
//
// Error and Result: how every dlif::nl operation reports failure. No
// exception leaves the library; a failed operation hands back the errno the
// kernel (or the library) chose and, when the kernel said why, its extended
// ack text, so that a tool can print "Error: <message>." like iproute2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace dlif::nl {

struct Error {
	int code = 0;			// positive errno value
	std::string message;		// extack text (NLMSGERR_ATTR_MSG) or our own
	std::optional<uint32_t> offset;	// NLMSGERR_ATTR_OFFS: offending attribute's byte offset in the request
	std::optional<uint32_t> missing_type;	// NLMSGERR_ATTR_MISS_TYPE: a required attribute the request lacked

	// The message when there is one, otherwise strerror(code).
	std::string describe() const;
	bool operator==(const Error &) const = default;
};

Error make_error(int code, std::string message = {});

// A value or an Error. std::expected is C++23; this is the small subset the
// project needs.
template <typename T>
class [[nodiscard]] Result {
public:
	Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
	Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

	bool ok() const { return state_.index() == 0; }
	explicit operator bool() const { return ok(); }

	T &value() & { return std::get<0>(state_); }
	const T &value() const & { return std::get<0>(state_); }
	T &&value() && { return std::get<0>(std::move(state_)); }
	T &operator*() & { return value(); }
	const T &operator*() const & { return value(); }
	T *operator->() { return &value(); }
	const T *operator->() const { return &value(); }

	const Error &error() const { return std::get<1>(state_); }

private:
	std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
public:
	Result() = default;
	Result(Error error) : error_(std::move(error)) {}

	bool ok() const { return !error_.has_value(); }
	explicit operator bool() const { return ok(); }
	const Error &error() const { return *error_; }

private:
	std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace dlif::nl
