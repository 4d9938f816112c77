// SPDX-License-Identifier: GPL-2.0
//
// Vocabulary shared by the pure protocol cores of dlifd (cmd/, maar/) and
// the daemon that runs them (daemon/): identities, time, and the DLIF
// identity every MAAR of a domain derives the same way.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "dlif/address.hpp"
#include "dlif/mh/address.hpp"
#include "dlif/mh/options.hpp"

namespace dlif::dmm {

// The protocol cores never read a clock: every event carries "now", and
// timers are requested as durations. Tests drive time by hand.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::milliseconds;

// Wall-clock time: only for the Timestamp option (RFC 5213 §5.5 compares
// the clocks of different nodes) and for deadlines in snapshots, which
// must survive a reboot. The daemon tells each core how its steady clock
// maps to the wall clock (set_wall_clock()); the cores never read either.
using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

// The MAC as a link-layer address option carries it (MN Link-layer
// Identifier, DLIF Link-layer Address), and back: nullopt unless the
// option holds exactly 6 octets.
mh::LinkLayerAddress to_link_layer(const MacAddress &mac);
std::optional<MacAddress> mac_from_link_layer(const mh::LinkLayerAddress &address);

// A mobile node's identifier: the NAI of its MN Identifier option
// (RFC 4283 subtype 1). The binding caches are keyed by it.
struct MnId {
	std::string nai;

	friend bool operator==(const MnId &, const MnId &) = default;
	friend auto operator<=>(const MnId &, const MnId &) = default;
};

// A stable hash (FNV-1a 64) for hash tables keyed by MN-ID, so that the
// cores behave the same on every build (std::hash may differ).
struct MnIdHash {
	std::size_t operator()(const MnId &mn) const noexcept;
	std::size_t operator()(std::string_view nai) const noexcept;
	using is_transparent = void;
};

// A MAC as a hash key (FNV-1a over its octets, as MnIdHash): the MAAR finds
// a node by MAC on every event, and a hash lookup stays one or two cache
// misses where an ordered map's walk cost one per level at a million nodes.
struct MacHash {
	std::size_t operator()(const MacAddress &mac) const noexcept;
};

// Whether `nai` can be a node's identifier: not empty, well-formed UTF-8
// (RFC 7542 §2.2, shortest forms, no surrogates) and no control
// characters. Peers send arbitrary octets; everything that stores, logs or
// serialises a binding's key as text relies on this.
bool usable_nai(std::string_view nai) noexcept;

// The MN-ID as the MN Identifier option carries it (subtype NAI), and
// back: nullopt for other subtypes and for an NAI that is not usable_nai.
mh::MobileNodeIdentifier to_option(const MnId &mn);
std::optional<MnId> mn_id_from_option(const mh::MobileNodeIdentifier &option);

// The NAI a MAAR gives a node it knows only by its MAC:
// "02-00-00-00-00-01@<realm>".
MnId mn_id_from_mac(const MacAddress &mac, std::string_view realm);

// The logical router identity a MAAR shows one node (RFC 8885 §3.6): the
// DLIF's MAC and link-local address. It follows the node: whichever MAAR
// serves the node shows the same identity for a given anchoring MAAR.
struct DlifIdentity {
	MacAddress mac;
	Ipv6Address link_local;

	friend bool operator==(const DlifIdentity &, const DlifIdentity &) = default;
};

// The domain-wide derivation (Documentation/admin-guide.rst): a locally
// administered unicast MAC from a hash of (anchoring MAAR address, MN-ID),
// and the modified-EUI-64 link-local address of that MAC. Any MAAR
// computes the identity of any other MAAR's DLIF for a node without
// signalling; the DLIF Link-layer / Link-local options, when present,
// carry the same values.
//
// The hash (Documentation/dlifd-design.rst): FNV-1a 64 over the 16 octets
// of the anchoring MAAR's address followed by the octets of the NAI,
// finished with the SplitMix64 mixer; the MAC is its six most significant
// octets, big-endian, with the multicast bit (0x01 of the first octet)
// cleared and the locally administered bit (0x02) set.
DlifIdentity derive_dlif_identity(const Ipv6Address &anchoring_maar, const MnId &mn);
Ipv6Address link_local_from_mac(const MacAddress &mac);

// The global address a DLIF carries in its prefix: the prefix with
// interface identifier ::1 (the anchoring MAAR's router address there).
Ipv6Address router_address_in(const Ipv6Prefix &prefix);

// The time the Timestamp option carries for the wall-clock time `wall`.
mh::Timestamp timestamp_at(WallTime wall) noexcept;

} // namespace dlif::dmm
