// SPDX-License-Identifier: GPL-2.0
//
// Overloaded{lambdas...}: one visitor for std::visit from a lambda per
// alternative of a variant.
#pragma once

namespace dlif {

template <class... Ts>
struct Overloaded : Ts... {
	using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

} // namespace dlif
