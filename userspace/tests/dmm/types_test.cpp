// SPDX-License-Identifier: GPL-2.0
//
// Identities and the helpers both cores share: MACs, MN-IDs, the DLIF
// identity derivation, link-local and router addresses, ordering rules,
// timer ids, the wall-clock mapping.
#include <gtest/gtest.h>

#include <set>

#include "dlif/dmm/core.hpp"
#include "dlif/dmm/types.hpp"

namespace dlif::dmm {
namespace {

Ipv6Address addr(const char *text)
{
	return *Ipv6Address::from_string(text);
}

TEST(MacAddress, LinkLayerOptionRoundTrip)
{
	const MacAddress mac = *MacAddress::from_string("02:11:22:33:44:55");
	EXPECT_EQ(mac_from_link_layer(to_link_layer(mac)), mac);
	mh::LinkLayerAddress eight;
	for (int i = 0; i < 8; ++i)
		eight.bytes.push_back(static_cast<std::uint8_t>(i));
	EXPECT_FALSE(mac_from_link_layer(eight));
}

TEST(MnId, FromMacUsesDashesAndTheRealm)
{
	EXPECT_EQ(mn_id_from_mac(*MacAddress::from_string("02:00:00:00:0A:01"), "dlif.example").nai,
		  "02-00-00-00-0a-01@dlif.example");
}

TEST(MnId, OptionRoundTripNaiOnly)
{
	const MnId mn{"mn1@dlif.example"};
	EXPECT_EQ(mn_id_from_option(to_option(mn)), mn);
	auto other = to_option(mn);
	other.subtype = static_cast<mh::MnIdSubtype>(2);
	EXPECT_FALSE(mn_id_from_option(other));
	EXPECT_FALSE(mn_id_from_option(mh::MobileNodeIdentifier::nai("")));
}

TEST(MnId, UsableNaiIsUtf8TextWithoutControls)
{
	EXPECT_TRUE(usable_nai("mn1@dlif.example"));
	EXPECT_TRUE(usable_nai("j\xc3\xb6rg@\xe4\xbe\x8b.example"));	// U+00F6, U+4F8B
	EXPECT_TRUE(usable_nai("\xf0\x9f\x93\xb1@x"));			// U+1F4F1
	EXPECT_FALSE(usable_nai(""));
	EXPECT_FALSE(usable_nai("mn\n1@x"));					// C0 control
	EXPECT_FALSE(usable_nai("mn\x7f@x"));					// DEL
	EXPECT_FALSE(usable_nai("mn\xc2\x85@x"));				// C1 control (NEL)
	EXPECT_FALSE(usable_nai(std::string_view("mn\0@x", 5)));
	EXPECT_FALSE(usable_nai("mn\xb8@x"));					// lone continuation
	EXPECT_FALSE(usable_nai("mn\xc3"));					// truncated
	EXPECT_FALSE(usable_nai("\xc0\xaf"));					// overlong '/'
	EXPECT_FALSE(usable_nai("\xe0\x80\xaf"));				// overlong, 3 octets
	EXPECT_FALSE(usable_nai("\xed\xa0\x80"));				// surrogate U+D800
	EXPECT_FALSE(usable_nai("\xf4\x90\x80\x80"));			// above U+10FFFF
	EXPECT_FALSE(usable_nai("\xf5\x80\x80\x80"));
	EXPECT_FALSE(mn_id_from_option(mh::MobileNodeIdentifier::nai("mn\xb8@x")));
}

TEST(MnId, HashIsFnv1a64)
{
	// Reference values of FNV-1a 64: the hash must not depend on the build.
	EXPECT_EQ(MnIdHash{}(std::string_view("")), static_cast<std::size_t>(0xcbf29ce484222325ull));
	EXPECT_EQ(MnIdHash{}(std::string_view("a")), static_cast<std::size_t>(0xaf63dc4c8601ec8cull));
	EXPECT_EQ(MnIdHash{}(MnId{"a"}), MnIdHash{}(std::string_view("a")));
}

// R184 / A23: the seeds' example.
TEST(LinkLocal, ModifiedEui64)
{
	EXPECT_EQ(link_local_from_mac(*MacAddress::from_string("00:11:22:33:01:01")), addr("fe80::211:22ff:fe33:101"));
	EXPECT_EQ(link_local_from_mac(*MacAddress::from_string("02:00:00:00:00:01")), addr("fe80::ff:fe00:1"));
}

TEST(DlifIdentity, DerivedIdentityIsLocalUnicastAndMatchesItsLinkLocal)
{
	const MnId mn = mn_id_from_mac(*MacAddress::from_string("02:00:00:00:00:01"), "dlif.example");
	for (const char *maar : {"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8:ffff::1"}) {
		const DlifIdentity identity = derive_dlif_identity(addr(maar), mn);
		EXPECT_EQ(identity.mac.bytes[0] & 0x01, 0) << "unicast";
		EXPECT_EQ(identity.mac.bytes[0] & 0x02, 0x02) << "locally administered";
		EXPECT_EQ(identity.link_local, link_local_from_mac(identity.mac));
		EXPECT_EQ(identity, derive_dlif_identity(addr(maar), mn)) << "deterministic";
	}
}

TEST(DlifIdentity, DiffersPerAnchoringMaarAndPerNode)
{
	std::set<MacAddress> seen;
	for (int maar = 1; maar <= 20; ++maar)
		for (int node = 1; node <= 50; ++node) {
			Ipv6Address address = addr("2001:db8::");
			address.bytes[15] = static_cast<std::uint8_t>(maar);
			MacAddress mac{{0x02, 0, 0, 0, 0, static_cast<std::uint8_t>(node)}};
			seen.insert(derive_dlif_identity(address, mn_id_from_mac(mac, "dlif.example")).mac);
		}
	EXPECT_EQ(seen.size(), 1000u);
}

// The derivation is part of the domain's contract (every MAAR must compute
// the same identity): pin one value so that a change is noticed.
TEST(DlifIdentity, GoldenValue)
{
	const DlifIdentity identity = derive_dlif_identity(addr("2001:db8::1"), MnId{"02-00-00-00-00-01@dlif.example"});
	EXPECT_EQ(identity.mac.to_string(), "02:be:cd:e7:f6:e5");
	EXPECT_EQ(identity.link_local, addr("fe80::be:cdff:fee7:f6e5"));
}

TEST(RouterAddress, PrefixColonColonOne)
{
	EXPECT_EQ(router_address_in(*Ipv6Prefix::from_string("2001:db8:1:2::/64")), addr("2001:db8:1:2::1"));
	EXPECT_EQ(router_address_in(*Ipv6Prefix::from_string("2001:db8:1:2:ffff::/64")), addr("2001:db8:1:2::1"));
}

TEST(Ordering, SequenceWindowWrapsModulo65536)
{
	EXPECT_TRUE(sequence_newer(2, 1));
	EXPECT_FALSE(sequence_newer(1, 1));
	EXPECT_FALSE(sequence_newer(1, 2));
	EXPECT_TRUE(sequence_newer(0, 65535));
	EXPECT_TRUE(sequence_newer(32767, 0));
	EXPECT_FALSE(sequence_newer(32768, 0));	// "less than or equal": the 32768 before
	EXPECT_TRUE(sequence_in_range(65535, 65534, 1));
	EXPECT_TRUE(sequence_in_range(0, 65534, 1));
	EXPECT_FALSE(sequence_in_range(2, 65534, 1));
	EXPECT_TRUE(sequence_in_range(5, 5, 5));
}

TEST(Ordering, TimestampWindowAndNewer)
{
	const auto at = [](std::uint64_t ms) { return mh::Timestamp::from_raw(ms * 65536 / 1000); };
	const Duration window{300};
	EXPECT_EQ(check_timestamp(at(10'000), at(10'200), window, std::nullopt), TimestampVerdict::ok);
	EXPECT_EQ(check_timestamp(at(10'400), at(10'000), window, std::nullopt), TimestampVerdict::mismatch);
	EXPECT_EQ(check_timestamp(at(9'600), at(10'000), window, std::nullopt), TimestampVerdict::mismatch);
	EXPECT_EQ(check_timestamp(at(10'000), at(10'000), window, at(10'000)), TimestampVerdict::not_newer);
	EXPECT_EQ(check_timestamp(at(10'001), at(10'000), window, at(10'000)), TimestampVerdict::ok);
	EXPECT_EQ(check_timestamp(at(1'000), at(10'000), std::nullopt, at(500)), TimestampVerdict::ok);
	EXPECT_EQ(check_timestamp(at(1'000), at(10'000), std::nullopt, at(5'000)), TimestampVerdict::not_newer);
}

// The clocks were set back an hour after the last accepted timestamp: it
// lies beyond the receiver's clock plus the window, so it no longer bars
// fresh timestamps; one still in reach of the window does.
TEST(Ordering, LastAcceptedFromBeforeABackwardClockStepNoLongerOrders)
{
	const auto at = [](std::uint64_t ms) { return mh::Timestamp::from_raw(ms * 65536 / 1000); };
	const Duration window{300};
	const std::uint64_t hour = 3'600'000;
	EXPECT_EQ(check_timestamp(at(10'000), at(10'000), window, at(10'000 + hour)), TimestampVerdict::ok);
	EXPECT_EQ(check_timestamp(at(10'000), at(10'000), window, at(10'301)), TimestampVerdict::ok);
	EXPECT_EQ(check_timestamp(at(10'000), at(10'000), window, at(10'299)), TimestampVerdict::not_newer);
	// The window still judges the message itself.
	EXPECT_EQ(check_timestamp(at(9'000), at(10'000), window, at(10'000 + hour)), TimestampVerdict::mismatch);
	// A requeued message (no window) cannot tell: the last accepted bars it.
	EXPECT_EQ(check_timestamp(at(10'000), at(10'000), std::nullopt, at(10'000 + hour)),
		  TimestampVerdict::not_newer);
}

TEST(Timers, KeyRoundTripAndBackoff)
{
	const TimerKey key{0xdeadbeef, 3, 200, 0xabcd};
	EXPECT_EQ(TimerKey::from(key.id()), key);
	EXPECT_EQ(next_backoff(Duration(1500), Duration(32000)), Duration(3000));
	EXPECT_EQ(next_backoff(Duration(24000), Duration(32000)), Duration(32000));
}

TEST(WallClock, MapsSteadyToWallAndBack)
{
	WallClockMap map;
	const TimePoint steady = TimePoint{} + std::chrono::hours(5);
	EXPECT_EQ(map.to_wall_ms(steady), 5 * 3600 * 1000);	// unset: steady is wall
	const WallTime wall = WallTime{} + std::chrono::seconds(1'700'000'000);
	map.set(steady, wall);
	EXPECT_EQ(map.to_wall(steady), wall);
	EXPECT_EQ(map.to_steady(wall + std::chrono::seconds(10)), steady + std::chrono::seconds(10));
	EXPECT_EQ(map.from_wall_ms(map.to_wall_ms(steady + Duration(1234))), steady + Duration(1234));
	EXPECT_EQ(map.timestamp(steady).seconds(), 1'700'000'000u);
}

} // namespace
} // namespace dlif::dmm
