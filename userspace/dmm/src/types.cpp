// SPDX-License-Identifier: GPL-2.0
#include "dlif/dmm/types.hpp"

#include <ostream>

namespace dlif::dmm {

namespace {

constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ull;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;

constexpr std::uint64_t fnv1a(std::uint64_t hash, const std::uint8_t *data, std::size_t size) noexcept
{
	for (std::size_t i = 0; i < size; ++i) {
		hash ^= data[i];
		hash *= kFnvPrime;
	}
	return hash;
}

// SplitMix64's finaliser: FNV-1a alone mixes the last input octets weakly
// into the high bits, which are the ones the MAC is taken from.
constexpr std::uint64_t mix(std::uint64_t z) noexcept
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

} // namespace

mh::LinkLayerAddress to_link_layer(const MacAddress &mac)
{
	mh::LinkLayerAddress address;
	address.bytes.assign(std::span<const std::uint8_t>(mac.bytes.data(), mac.bytes.size()));
	return address;
}

std::optional<MacAddress> mac_from_link_layer(const mh::LinkLayerAddress &address)
{
	if (address.bytes.size() != 6)
		return std::nullopt;
	MacAddress mac;
	for (std::size_t i = 0; i < 6; ++i)
		mac.bytes[i] = address.bytes[i];
	return mac;
}

std::size_t MnIdHash::operator()(std::string_view nai) const noexcept
{
	return static_cast<std::size_t>(
		fnv1a(kFnvOffsetBasis, reinterpret_cast<const std::uint8_t *>(nai.data()), nai.size()));
}

std::size_t MnIdHash::operator()(const MnId &mn) const noexcept
{
	return (*this)(std::string_view(mn.nai));
}

std::size_t MacHash::operator()(const MacAddress &mac) const noexcept
{
	return static_cast<std::size_t>(fnv1a(kFnvOffsetBasis, mac.bytes.data(), mac.bytes.size()));
}

mh::MobileNodeIdentifier to_option(const MnId &mn)
{
	return mh::MobileNodeIdentifier::nai(mn.nai);
}

bool usable_nai(std::string_view nai) noexcept
{
	if (nai.empty())
		return false;
	for (std::size_t at = 0; at < nai.size();) {
		const auto lead = static_cast<unsigned char>(nai[at]);
		if (lead < 0x80) {
			if (lead < 0x20 || lead == 0x7f)
				return false;
			++at;
			continue;
		}
		// RFC 3629 §4: the second octet's range depends on the first,
		// which rules out overlong forms, surrogates and > U+10FFFF.
		std::size_t length;
		unsigned char low = 0x80, high = 0xbf;
		if (lead >= 0xc2 && lead <= 0xdf) {
			length = 2;
		} else if (lead >= 0xe0 && lead <= 0xef) {
			length = 3;
			low = lead == 0xe0 ? 0xa0 : 0x80;
			high = lead == 0xed ? 0x9f : 0xbf;
		} else if (lead >= 0xf0 && lead <= 0xf4) {
			length = 4;
			low = lead == 0xf0 ? 0x90 : 0x80;
			high = lead == 0xf4 ? 0x8f : 0xbf;
		} else {
			return false;
		}
		if (nai.size() - at < length)
			return false;
		for (std::size_t i = 1; i < length; ++i) {
			const auto octet = static_cast<unsigned char>(nai[at + i]);
			if (octet < (i == 1 ? low : 0x80) || octet > (i == 1 ? high : 0xbf))
				return false;
		}
		// C1 controls (U+0080..U+009F) are control characters as well.
		if (lead == 0xc2 && static_cast<unsigned char>(nai[at + 1]) < 0xa0)
			return false;
		at += length;
	}
	return true;
}

std::optional<MnId> mn_id_from_option(const mh::MobileNodeIdentifier &option)
{
	if (option.subtype != mh::MnIdSubtype::Nai || !usable_nai(option.text()))
		return std::nullopt;
	return MnId{std::string(option.text())};
}

MnId mn_id_from_mac(const MacAddress &mac, std::string_view realm)
{
	std::string nai = hex_octets(mac.bytes, '-');
	nai += '@';
	nai += realm;
	return MnId{std::move(nai)};
}

DlifIdentity derive_dlif_identity(const Ipv6Address &anchoring_maar, const MnId &mn)
{
	std::uint64_t hash = fnv1a(kFnvOffsetBasis, anchoring_maar.bytes.data(), anchoring_maar.bytes.size());
	hash = fnv1a(hash, reinterpret_cast<const std::uint8_t *>(mn.nai.data()), mn.nai.size());
	hash = mix(hash);
	DlifIdentity identity;
	for (std::size_t i = 0; i < 6; ++i)
		identity.mac.bytes[i] = static_cast<std::uint8_t>(hash >> (56 - 8 * i));
	identity.mac.bytes[0] = static_cast<std::uint8_t>((identity.mac.bytes[0] & ~0x01u) | 0x02u);
	identity.link_local = link_local_from_mac(identity.mac);
	return identity;
}

Ipv6Address link_local_from_mac(const MacAddress &mac)
{
	// RFC 4291 Appendix A: ff:fe in the middle, universal/local bit inverted.
	Ipv6Address address;
	address.bytes[0] = 0xfe;
	address.bytes[1] = 0x80;
	address.bytes[8] = static_cast<std::uint8_t>(mac.bytes[0] ^ 0x02u);
	address.bytes[9] = mac.bytes[1];
	address.bytes[10] = mac.bytes[2];
	address.bytes[11] = 0xff;
	address.bytes[12] = 0xfe;
	address.bytes[13] = mac.bytes[3];
	address.bytes[14] = mac.bytes[4];
	address.bytes[15] = mac.bytes[5];
	return address;
}

Ipv6Address router_address_in(const Ipv6Prefix &prefix)
{
	Ipv6Address address = prefix.masked().address;
	address.bytes[15] = static_cast<std::uint8_t>(address.bytes[15] | 0x01u);
	return address;
}

mh::Timestamp timestamp_at(WallTime wall) noexcept
{
	return mh::Timestamp::from_time_point(wall);
}

} // namespace dlif::dmm
