// SPDX-License-Identifier: GPL-2.0
//
// Example messages shared by mhtool, the allocation test and the
// benchmarks, so that "a typical PBU" means the same thing everywhere.
#pragma once

#include "dlif/mh/message.hpp"

namespace dlif::mh::examples {

// A PBU as a MAAR sends it in a handover: flags A, P, D; MN-ID (NAI),
// one HNP, a Timestamp and two Previous MAAR options. 136 octets.
ProxyBindingUpdate typical_pbu();

// The PBA a CMD returns to the serving MAAR: status 0, flags P, D; MN-ID,
// HNP, Handoff Indicator, Access Technology Type, Timestamp and two
// Previous MAAR options.
ProxyBindingAck typical_pba();

// A PBU or PBA with every option the codec knows (RFC 5213 and RFC 8885).
ProxyBindingUpdate pbu_with_every_option();
ProxyBindingAck pba_with_every_option();

} // namespace dlif::mh::examples
