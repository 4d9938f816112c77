// SPDX-License-Identifier: GPL-2.0
//
// The PMIPv6 / RFC 8885 Mobility Header codec in one include.
#pragma once

#include "dlif/mh/address.hpp"
#include "dlif/mh/checksum.hpp"
#include "dlif/mh/codec.hpp"
#include "dlif/mh/format.hpp"
#include "dlif/mh/message.hpp"
#include "dlif/mh/options.hpp"
#include "dlif/mh/result.hpp"
#include "dlif/mh/status.hpp"
#include "dlif/mh/wire.hpp"
