// SPDX-License-Identifier: GPL-2.0
//
// Result<T, E>: a value or a typed error, in the spirit of C++23
// std::expected (GCC 12 does not ship it). The codec reports every failure
// through it, so nothing thrown can reach the daemon's event loop.
#pragma once

#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace dlif::mh {

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

template <typename T, typename E>
class [[nodiscard]] Result {
public:
	constexpr Result(const T &value) : state_(std::in_place_index<0>, value) {}
	constexpr Result(T &&value) : state_(std::in_place_index<0>, std::move(value)) {}
	template <typename G>
	constexpr Result(Unexpected<G> failure)
		: state_(std::in_place_index<1>, std::move(failure.error))
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
	constexpr explicit operator bool() const noexcept { return has_value(); }

	// Accessing the wrong alternative is a programming error; abort at once
	// rather than read garbage (there is no exception to throw here).
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
	constexpr T *operator->() { return &value(); }
	constexpr const T *operator->() const { return &value(); }

private:
	static constexpr void check(bool ok)
	{
		if (!ok)
			std::abort();
	}

	std::variant<T, E> state_;
};

} // namespace dlif::mh
