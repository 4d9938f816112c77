// SPDX-License-Identifier: GPL-2.0
//
// Result<T, E>: a value or a typed error, the subset of C++23 std::expected
// the project uses (GCC 12 does not ship it). Every library reports failure
// through it - the codec with its parse errors (dlif::mh), netlink with an
// errno and the kernel's extack (dlif::nl) - so nothing thrown can reach
// the daemon's event loop.
//
// An error is made with unexpected(e); where the error type cannot be
// mistaken for the value type, an E converts to a failed Result directly
// (`return make_error(EINVAL, "...")`). Reading the alternative that is not
// there is a programming error and aborts: there is no exception to throw.
#pragma once

#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace dlif {

// Wraps an error so that Result's constructors cannot confuse it with a value.
template <typename E>
struct Unexpected {
	E error;
};

template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename E>
[[nodiscard]] constexpr Unexpected<std::decay_t<E>> unexpected(E &&error)
{
	return {std::forward<E>(error)};
}

namespace detail {
[[noreturn]] inline void bad_result_access() { std::abort(); }
} // namespace detail

template <typename T, typename E>
class [[nodiscard]] Result {
public:
	constexpr Result(const T &value) : state_(std::in_place_index<0>, value) {}
	constexpr Result(T &&value) : state_(std::in_place_index<0>, std::move(value)) {}
	template <typename G>
	constexpr Result(Unexpected<G> failure) : state_(std::in_place_index<1>, std::move(failure.error))
	{
	}
	// A bare error, when nothing could take it for a value.
	template <typename G>
		requires(std::is_same_v<std::remove_cvref_t<G>, E> && !std::is_convertible_v<G, T>)
	constexpr Result(G &&error) : state_(std::in_place_index<1>, std::forward<G>(error))
	{
	}
	// Constructs the value in place, so that a large value can be filled
	// where it will be returned instead of being moved there.
	template <typename... Args>
	constexpr explicit Result(std::in_place_t, Args &&...args)
		: state_(std::in_place_index<0>, std::forward<Args>(args)...)
	{
	}

	template <typename G>
	constexpr Result &operator=(Unexpected<G> failure)
	{
		state_.template emplace<1>(std::move(failure.error));
		return *this;
	}

	constexpr bool has_value() const noexcept { return state_.index() == 0; }
	constexpr bool ok() const noexcept { return has_value(); }
	constexpr explicit operator bool() const noexcept { return has_value(); }

	constexpr T &value() &
	{
		check(has_value());
		return *std::get_if<0>(&state_);
	}
	constexpr const T &value() const &
	{
		check(has_value());
		return *std::get_if<0>(&state_);
	}
	constexpr T &&value() &&
	{
		check(has_value());
		return std::move(*std::get_if<0>(&state_));
	}
	constexpr const E &error() const &
	{
		check(!has_value());
		return *std::get_if<1>(&state_);
	}

	constexpr T &operator*() & { return value(); }
	constexpr const T &operator*() const & { return value(); }
	constexpr T &&operator*() && { return std::move(*this).value(); }
	constexpr T *operator->() { return &value(); }
	constexpr const T *operator->() const { return &value(); }

private:
	static constexpr void check(bool ok)
	{
		if (!ok)
			detail::bad_result_access();
	}

	std::variant<T, E> state_;
};

// Success without a value, or an error.
template <typename E>
class [[nodiscard]] Result<void, E> {
public:
	constexpr Result() = default;
	constexpr Result(E error) : error_(std::move(error)) {}
	template <typename G>
	constexpr Result(Unexpected<G> failure) : error_(std::move(failure.error))
	{
	}

	constexpr bool has_value() const noexcept { return !error_.has_value(); }
	constexpr bool ok() const noexcept { return has_value(); }
	constexpr explicit operator bool() const noexcept { return has_value(); }
	constexpr const E &error() const &
	{
		if (!error_)
			detail::bad_result_access();
		return *error_;
	}

private:
	std::optional<E> error_;
};

} // namespace dlif
