// SPDX-License-Identifier: GPL-2.0
#include "examples.hpp"

#include <chrono>

namespace dlif::mh::examples {
namespace {

Ipv6Address address(const char *text)
{
	return Ipv6Address::from_string(text).value_or(Ipv6Address{});
}

Ipv6Prefix prefix(const char *text)
{
	return Ipv6Prefix::from_string(text).value_or(Ipv6Prefix{});
}

MobilityOptions every_option()
{
	MobilityOptions o;
	o.mobile_node_identifier = MobileNodeIdentifier::nai("mn1@example.net");
	o.home_network_prefixes.push_back(prefix("2001:db8:1::/64"));
	o.handoff_indicator = HandoffIndicator::HandoffBetweenMags;
	o.access_technology_type = AccessTechnologyType::Ieee80211;
	o.mobile_node_link_layer_identifier = LinkLayerAddress::from_string("00:11:22:33:01:01");
	o.link_local_address = address("fe80::1");
	o.timestamp = Timestamp::from_parts(1700000000, 0x8000);
	o.anchored_prefixes.push_back(prefix("2001:db8:a::/64"));
	o.local_prefixes.push_back(prefix("2001:db8:1c::/48"));
	o.previous_maars.push_back(PreviousMaar{address("2001:db8::11"), prefix("2001:db8:11::/64")});
	o.serving_maar = address("2001:db8::22");
	o.dlif_link_local_address = address("fe80::211:22ff:fe33:101");
	o.dlif_link_layer_address = LinkLayerAddress::from_string("02:11:22:33:01:01");
	return o;
}

} // namespace

ProxyBindingUpdate typical_pbu()
{
	ProxyBindingUpdate bu;
	bu.sequence = 4711;
	bu.flags = BuFlags{BuFlag::Acknowledge, BuFlag::ProxyRegistration, BuFlag::Dmm};
	bu.lifetime = Lifetime::at_most(std::chrono::seconds(3600));
	bu.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1@example.net");
	bu.options.home_network_prefixes.push_back(prefix("2001:db8:3::/64"));
	bu.options.timestamp = Timestamp::from_parts(1700000000, 0x8000);
	bu.options.previous_maars.push_back(PreviousMaar{address("2001:db8::11"), prefix("2001:db8:11::/64")});
	bu.options.previous_maars.push_back(PreviousMaar{address("2001:db8::12"), prefix("2001:db8:12::/64")});
	return bu;
}

ProxyBindingAck typical_pba()
{
	ProxyBindingAck ba;
	ba.status = Status::Accepted;
	ba.flags = BaFlags{BaFlag::ProxyRegistration, BaFlag::Dmm};
	ba.sequence = 4711;
	ba.lifetime = Lifetime::at_most(std::chrono::seconds(3600));
	ba.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1@example.net");
	ba.options.home_network_prefixes.push_back(prefix("2001:db8:3::/64"));
	ba.options.handoff_indicator = HandoffIndicator::HandoffBetweenMags;
	ba.options.access_technology_type = AccessTechnologyType::Ieee80211;
	ba.options.timestamp = Timestamp::from_parts(1700000000, 0x8000);
	ba.options.previous_maars.push_back(PreviousMaar{address("2001:db8::11"), prefix("2001:db8:11::/64")});
	ba.options.previous_maars.push_back(PreviousMaar{address("2001:db8::12"), prefix("2001:db8:12::/64")});
	return ba;
}

ProxyBindingUpdate pbu_with_every_option()
{
	ProxyBindingUpdate bu;
	bu.sequence = 7;
	bu.flags.set(BuFlag::Dmm);
	bu.lifetime = Lifetime::at_most(std::chrono::seconds(400));
	bu.options = every_option();
	return bu;
}

ProxyBindingAck pba_with_every_option()
{
	ProxyBindingAck ba;
	ba.flags.set(BaFlag::Dmm);
	ba.sequence = 7;
	ba.lifetime = Lifetime::at_most(std::chrono::seconds(400));
	ba.options = every_option();
	return ba;
}

} // namespace dlif::mh::examples
