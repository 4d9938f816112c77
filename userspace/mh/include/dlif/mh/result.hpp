// SPDX-License-Identifier: GPL-2.0
//
// The codec reports every failure through dlif::Result (dlif/result.hpp),
// the project's one result type.
#pragma once

#include "dlif/result.hpp"

namespace dlif::mh {

using dlif::Result;
using dlif::Unexpected;
using dlif::unexpected;

} // namespace dlif::mh
