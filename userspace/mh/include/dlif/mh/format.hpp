// SPDX-License-Identifier: GPL-2.0
//
// One-line renderings of messages and options for logs, e.g.
//   PBU seq=7 flags=APD lifetime=400s mn-id=nai:"mn1" hnp=2001:db8:1::/64
//       hi=HANDOFF_BETWEEN_MAGS(3) att=IEEE_802_11(4) ...
// (one line; wrapped here only for the comment).
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "dlif/mh/codec.hpp"
#include "dlif/mh/message.hpp"
#include "dlif/mh/options.hpp"

namespace dlif::mh {

std::string to_string(const Message &message);
std::string to_string(const ParsedMessage &parsed);
std::string to_string(const MobilityOptions &options);

// Letters of the flags that are set, in wire order ("APD"), "-" for none.
std::string flag_letters(BuFlags flags);
std::string flag_letters(BaFlags flags);

std::string_view name(HandoffIndicator value) noexcept;
std::string_view name(AccessTechnologyType value) noexcept;
std::string_view name(OptionType type) noexcept;
std::string_view name(MhType type) noexcept;

std::ostream &operator<<(std::ostream &os, const ProxyBindingUpdate &message);
std::ostream &operator<<(std::ostream &os, const ProxyBindingAck &message);
std::ostream &operator<<(std::ostream &os, const BindingError &message);
std::ostream &operator<<(std::ostream &os, const Message &message);
std::ostream &operator<<(std::ostream &os, const MobilityOptions &options);
std::ostream &operator<<(std::ostream &os, const MobileNodeIdentifier &identifier);
std::ostream &operator<<(std::ostream &os, const PreviousMaar &previous_maar);
std::ostream &operator<<(std::ostream &os, Timestamp timestamp);
std::ostream &operator<<(std::ostream &os, Lifetime lifetime);
std::ostream &operator<<(std::ostream &os, HandoffIndicator value);
std::ostream &operator<<(std::ostream &os, AccessTechnologyType value);
std::ostream &operator<<(std::ostream &os, BuFlags flags);
std::ostream &operator<<(std::ostream &os, BaFlags flags);

} // namespace dlif::mh
