// SPDX-License-Identifier: GPL-2.0
//
// SmallVector<T, N>: a sequence that keeps up to N elements inside the
// object and moves them to the heap only beyond that. Messages of typical
// size therefore parse without touching the allocator, while an unusual
// message (twenty prefixes, a 200-octet NAI) still parses instead of being
// refused for an arbitrary capacity limit.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

namespace dlif::mh {

template <typename T, std::size_t InlineCapacity>
class SmallVector {
	// Elements are plain values (addresses, prefixes, octets), so the
	// inline part can be copied as a whole and needs no destructor calls.
	static_assert(std::is_trivially_copyable_v<T>);
	static_assert(InlineCapacity > 0);

public:
	using value_type = T;
	using size_type = std::size_t;
	using iterator = T *;
	using const_iterator = const T *;

	static constexpr std::size_t inline_capacity = InlineCapacity;

	SmallVector() = default;
	SmallVector(std::initializer_list<T> values) { assign(std::span<const T>(values.begin(), values.size())); }
	explicit SmallVector(std::span<const T> values) { assign(values); }

	void assign(std::span<const T> values)
	{
		clear();
		if (values.size() <= InlineCapacity) {
			std::copy(values.begin(), values.end(), inline_.begin());
			inline_size_ = values.size();
		} else {
			heap_.assign(values.begin(), values.end());
		}
	}

	void push_back(const T &value)
	{
		if (heap_.empty()) {
			if (inline_size_ < InlineCapacity) {
				inline_[inline_size_++] = value;
				return;
			}
			// First element past the inline capacity: move everything
			// to the heap so that the elements stay contiguous.
			heap_.reserve(2 * InlineCapacity);
			heap_.assign(inline_.begin(), inline_.end());
			inline_size_ = 0;
		}
		heap_.push_back(value);
	}

	void clear() noexcept
	{
		heap_.clear();
		inline_size_ = 0;
	}

	std::size_t size() const noexcept { return heap_.empty() ? inline_size_ : heap_.size(); }
	bool empty() const noexcept { return size() == 0; }
	// True once the elements live on the heap (tests use it to check that
	// typical messages stay inline).
	bool uses_heap() const noexcept { return !heap_.empty(); }

	T *data() noexcept { return heap_.empty() ? inline_.data() : heap_.data(); }
	const T *data() const noexcept { return heap_.empty() ? inline_.data() : heap_.data(); }
	T *begin() noexcept { return data(); }
	T *end() noexcept { return data() + size(); }
	const T *begin() const noexcept { return data(); }
	const T *end() const noexcept { return data() + size(); }
	T &operator[](std::size_t i) noexcept { return data()[i]; }
	const T &operator[](std::size_t i) const noexcept { return data()[i]; }
	T &front() noexcept { return data()[0]; }
	const T &front() const noexcept { return data()[0]; }
	T &back() noexcept { return data()[size() - 1]; }
	const T &back() const noexcept { return data()[size() - 1]; }

	std::span<const T> span() const noexcept { return {data(), size()}; }

	friend bool operator==(const SmallVector &a, const SmallVector &b)
	{
		return std::equal(a.begin(), a.end(), b.begin(), b.end());
	}

private:
	std::array<T, InlineCapacity> inline_{};
	std::size_t inline_size_ = 0;
	std::vector<T> heap_;
};

} // namespace dlif::mh
