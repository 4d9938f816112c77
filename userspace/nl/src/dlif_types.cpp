// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/dlif_types.hpp"

namespace dlif::nl {

std::string role_name(Role role)
{
	switch (role) {
	case Role::anchor:
		return "anchor";
	case Role::serving:
		return "serving";
	case Role::local_net:
		return "local-net";
	case Role::local_export:
		return "local-export";
	case Role::attached:
		return "attached";
	}
	return "role-" + std::to_string(static_cast<unsigned>(role));
}

std::optional<Role> parse_role(std::string_view name)
{
	for (Role role : {Role::anchor, Role::serving, Role::local_net, Role::local_export, Role::attached})
		if (name == role_name(role))
			return role;
	return std::nullopt;
}

bool EntryFilter::matches(const Entry &entry) const
{
	return (!role || *role == entry.role) && (!peer || entry.peer == *peer) &&
	       (!ifindex || *ifindex == entry.ifindex) && (!mn || entry.mn == *mn);
}

std::string_view event_name(EntryEvent event)
{
	switch (event) {
	case EntryEvent::added:
		return "added";
	case EntryEvent::replaced:
		return "replaced";
	case EntryEvent::deleted:
		return "deleted";
	}
	return "unknown";
}

}  // namespace dlif::nl
