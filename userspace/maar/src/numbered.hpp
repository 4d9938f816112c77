// SPDX-License-Identifier: GPL-2.0
//
// Objects by a small number that the owner hands out densely (the lowest
// free one first), as the MAAR numbers its sessions. A slot per number
// finds an object in one step; an ordered map walked a tree of every
// object, each node cold once there are many (at a million nodes over
// 100 MAARs, those walks were a quarter of a handover's time in
// roaming_bench). Iteration is in order of number, as snapshots and
// paged listings need. Objects never move once inserted: callers keep
// pointers to them across insertions.
//
// Memory: one pointer per number up to the highest ever handed out, as
// the owner's list of free numbers already is.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dlif::maar {

template <typename T>
class Numbered {
public:
	T *find(std::uint32_t number) noexcept
	{
		return number < slots_.size() ? slots_[number].get() : nullptr;
	}
	const T *find(std::uint32_t number) const noexcept
	{
		return number < slots_.size() ? slots_[number].get() : nullptr;
	}
	T &at(std::uint32_t number)
	{
		T *found = find(number);
		if (found == nullptr)
			throw std::out_of_range("no object numbered " + std::to_string(number));
		return *found;
	}
	const T &at(std::uint32_t number) const { return const_cast<Numbered *>(this)->at(number); }
	bool contains(std::uint32_t number) const noexcept { return find(number) != nullptr; }
	std::size_t size() const noexcept { return size_; }

	// The object now numbered `number`, and whether it was inserted (an
	// object already there stays, as std::map::emplace).
	std::pair<T *, bool> emplace(std::uint32_t number, T value)
	{
		if (number >= slots_.size())
			slots_.resize(static_cast<std::size_t>(number) + 1);
		if (slots_[number])
			return {slots_[number].get(), false};
		slots_[number] = std::make_unique<T>(std::move(value));
		++size_;
		return {slots_[number].get(), true};
	}
	void erase(std::uint32_t number) noexcept
	{
		if (number < slots_.size() && slots_[number]) {
			slots_[number].reset();
			--size_;
		}
	}

	// (number, object) pairs in order of number.
	template <bool Const>
	class Iterator {
	public:
		using Table = std::conditional_t<Const, const Numbered, Numbered>;
		using Object = std::conditional_t<Const, const T, T>;
		using value_type = std::pair<std::uint32_t, Object &>;
		using difference_type = std::ptrdiff_t;

		Iterator() = default;
		Iterator(Table *table, std::size_t at) : table_(table), at_(at) { skip_empty(); }
		value_type operator*() const { return {static_cast<std::uint32_t>(at_), *table_->slots_[at_]}; }
		Iterator &operator++()
		{
			++at_;
			skip_empty();
			return *this;
		}
		Iterator operator++(int)
		{
			Iterator before = *this;
			++*this;
			return before;
		}
		friend bool operator==(const Iterator &a, const Iterator &b) noexcept { return a.at_ == b.at_; }

	private:
		void skip_empty()
		{
			while (at_ < table_->slots_.size() && !table_->slots_[at_])
				++at_;
		}
		Table *table_ = nullptr;
		std::size_t at_ = 0;
	};
	using iterator = Iterator<false>;
	using const_iterator = Iterator<true>;

	iterator begin() { return {this, 0}; }
	iterator end() { return {this, slots_.size()}; }
	const_iterator begin() const { return {this, 0}; }
	const_iterator end() const { return {this, slots_.size()}; }
	// The first object numbered above `number`.
	iterator upper_bound(std::uint32_t number)
	{
		return {this, std::min(static_cast<std::size_t>(number) + 1, slots_.size())};
	}
	const_iterator upper_bound(std::uint32_t number) const
	{
		return {this, std::min(static_cast<std::size_t>(number) + 1, slots_.size())};
	}

private:
	std::vector<std::unique_ptr<T>> slots_;
	std::size_t size_ = 0;
};

} // namespace dlif::maar
