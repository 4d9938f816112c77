// SPDX-License-Identifier: GPL-2.0
//
// Proof that the receive path does not touch the heap for messages of
// typical size: this binary replaces the global allocation functions with
// counting ones and checks the count around parse() and build_into().
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "dlif/mh/mh.hpp"
#include "examples.hpp"

namespace {

std::atomic<std::size_t> g_allocations{0};

void *counted_allocation(std::size_t size)
{
	g_allocations.fetch_add(1, std::memory_order_relaxed);
	return std::malloc(size == 0 ? 1 : size);
}

void *counted_aligned_allocation(std::size_t size, std::align_val_t alignment)
{
	g_allocations.fetch_add(1, std::memory_order_relaxed);
	const auto align = static_cast<std::size_t>(alignment);
	return std::aligned_alloc(align, (size + align - 1) / align * align);
}

// Allocations made while an instance is alive.
class AllocationCount {
public:
	AllocationCount() : start_(g_allocations.load()) {}
	std::size_t value() const { return g_allocations.load() - start_; }

private:
	std::size_t start_;
};

} // namespace

void *operator new(std::size_t size)
{
	if (void *p = counted_allocation(size))
		return p;
	throw std::bad_alloc();
}
void *operator new[](std::size_t size)
{
	return operator new(size);
}
void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
	return counted_allocation(size);
}
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept
{
	return counted_allocation(size);
}
void *operator new(std::size_t size, std::align_val_t alignment)
{
	if (void *p = counted_aligned_allocation(size, alignment))
		return p;
	throw std::bad_alloc();
}
void *operator new[](std::size_t size, std::align_val_t alignment)
{
	return operator new(size, alignment);
}
void operator delete(void *p) noexcept
{
	std::free(p);
}
void operator delete[](void *p) noexcept
{
	std::free(p);
}
void operator delete(void *p, std::size_t) noexcept
{
	std::free(p);
}
void operator delete[](void *p, std::size_t) noexcept
{
	std::free(p);
}
void operator delete(void *p, std::align_val_t) noexcept
{
	std::free(p);
}
void operator delete[](void *p, std::align_val_t) noexcept
{
	std::free(p);
}
void operator delete(void *p, std::size_t, std::align_val_t) noexcept
{
	std::free(p);
}
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept
{
	std::free(p);
}

namespace dlif::mh {
namespace {

std::vector<std::uint8_t> encoded(const Message &message)
{
	auto bytes = build(message);
	EXPECT_TRUE(bytes);
	return bytes ? *bytes : std::vector<std::uint8_t>{};
}

// parse() and the destruction of its result, counted together.
std::size_t allocations_to_parse(const std::vector<std::uint8_t> &bytes, bool &parsed_ok)
{
	AllocationCount count;
	{
		const auto parsed = parse(bytes);
		parsed_ok = static_cast<bool>(parsed);
	}
	return count.value();
}

TEST(MhAllocations, TheCounterSeesAllocations)
{
	// Calls the function directly: a new-expression may be optimised away.
	AllocationCount count;
	void *p = ::operator new(16);
	::operator delete(p);
	EXPECT_EQ(count.value(), 1u);
}

TEST(MhAllocations, ParsingATypicalPbuDoesNotAllocate)
{
	const auto bytes = encoded(examples::typical_pbu());
	bool ok = false;
	EXPECT_EQ(allocations_to_parse(bytes, ok), 0u);
	EXPECT_TRUE(ok);
}

TEST(MhAllocations, ParsingATypicalPbaDoesNotAllocate)
{
	const auto bytes = encoded(examples::typical_pba());
	bool ok = false;
	EXPECT_EQ(allocations_to_parse(bytes, ok), 0u);
	EXPECT_TRUE(ok);
}

TEST(MhAllocations, ParsingEveryOptionOnceDoesNotAllocate)
{
	const auto bytes = encoded(examples::pba_with_every_option());
	bool ok = false;
	EXPECT_EQ(allocations_to_parse(bytes, ok), 0u);
	EXPECT_TRUE(ok);
}

TEST(MhAllocations, RejectingAMessageDoesNotAllocate)
{
	auto bytes = encoded(examples::typical_pbu());
	bytes[0] = 6; // Payload Proto
	bool ok = true;
	EXPECT_EQ(allocations_to_parse(bytes, ok), 0u);
	EXPECT_FALSE(ok);
}

TEST(MhAllocations, BuildIntoAndEncodedSizeDoNotAllocate)
{
	const Message pbu = examples::typical_pbu();
	std::array<std::uint8_t, kMaxMessageSize> buffer;
	AllocationCount count;
	const auto size = encoded_size(pbu);
	const auto written = build_into(pbu, buffer);
	EXPECT_EQ(count.value(), 0u);
	EXPECT_TRUE(size && written && *size == *written);
}

TEST(MhAllocations, CopyingATypicalMessageDoesNotAllocate)
{
	const Message pbu = examples::typical_pbu();
	AllocationCount count;
	const Message copy = pbu;
	EXPECT_EQ(count.value(), 0u);
	EXPECT_EQ(copy, pbu);
}

TEST(MhAllocations, ListsBeyondTheirInlineCapacitySpillToTheHeap)
{
	// The control: more Previous MAAR options than fit inline do allocate,
	// so a zero above is not the counter failing to count.
	auto pba = examples::typical_pba();
	while (pba.options.previous_maars.size() <= PreviousMaarList::inline_capacity)
		pba.options.previous_maars.push_back(pba.options.previous_maars.front());
	const auto bytes = encoded(pba);
	bool ok = false;
	EXPECT_GT(allocations_to_parse(bytes, ok), 0u);
	EXPECT_TRUE(ok);
}

} // namespace
} // namespace dlif::mh
