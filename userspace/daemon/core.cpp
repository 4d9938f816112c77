// SPDX-License-Identifier: GPL-2.0
#include "core.hpp"

#include <charconv>
#include <type_traits>

#include "dlif/cmd/cmd.hpp"
#include "dlif/maar/maar.hpp"

namespace dlif::daemon {

namespace {

nlohmann::json parsed(const std::string &text)
{
	auto json = nlohmann::json::parse(text, nullptr, false);
	return json.is_discarded() ? nlohmann::json::array() : json;
}

// What differs between the two cores behind ProtocolCore: a CMD's mobile
// nodes are its bindings, a MAAR's are its sessions.
std::string nodes_json(const cmd::CmdCore &core, dmm::TimePoint now) { return core.bindings_json(now); }
std::string nodes_json(const maar::MaarCore &core, dmm::TimePoint now) { return core.sessions_json(now); }
std::size_t node_count(const cmd::CmdCore &core) { return core.binding_count(); }
nlohmann::json latencies_of(const cmd::CmdCore &) { return nlohmann::json::object(); }
std::string node_json(const cmd::CmdCore &core, const cmd::BindingView &view, dmm::TimePoint now)
{
	return core.binding_json(view, now);
}
std::string node_json(const maar::MaarCore &core, const maar::SessionView &view, dmm::TimePoint now)
{
	return core.session_json(view, now);
}

// find_mobile_node() returns the first match in list order: bindings are
// listed by MN-ID, sessions by number. Of the nodes the id can name (by
// MN-ID; by MAC, or by the MN-ID derived from it), the first in that order.
bool listed_before(const cmd::BindingView &a, const cmd::BindingView &b) { return a.mn < b.mn; }
bool listed_before(const maar::SessionView &a, const maar::SessionView &b) { return a.number < b.number; }

template <class View>
void keep_first(std::optional<View> &best, std::optional<View> found)
{
	if (found && (!best || listed_before(*found, *best)))
		best = std::move(found);
}

// Each core's lookups by MN-ID and by MAC.
std::optional<cmd::BindingView> by_mn(const cmd::CmdCore &core, const dmm::MnId &mn) { return core.binding(mn); }
std::optional<cmd::BindingView> by_mac(const cmd::CmdCore &core, const MacAddress &mac)
{
	return core.binding_with_mac(mac);
}
std::optional<maar::SessionView> by_mn(const maar::MaarCore &core, const dmm::MnId &mn) { return core.session(mn); }
std::optional<maar::SessionView> by_mac(const maar::MaarCore &core, const MacAddress &mac) { return core.session(mac); }

template <class Core>
auto node_named(const Core &core, std::string_view id, const std::optional<MacAddress> &mac, std::string_view realm)
{
	auto best = by_mn(core, dmm::MnId{std::string(id)});
	if (mac) {
		keep_first(best, by_mn(core, dmm::mn_id_from_mac(*mac, realm)));
		keep_first(best, by_mac(core, *mac));
	}
	return best;
}
std::size_t node_count(const maar::MaarCore &core) { return core.session_count(); }
nlohmann::json latencies_of(const maar::MaarCore &core)
{
	return {{"attach_to_registered", to_json(core.latencies().attach_to_registered)},
		{"pbu_to_pba", to_json(core.latencies().pbu_to_pba)}};
}

template <class Views>
std::vector<std::string> ids_of(const Views &views)
{
	std::vector<std::string> ids;
	ids.reserve(views.size());
	for (const auto &view : views)
		ids.push_back(view.mn.nai);
	return ids;
}
std::vector<std::string> mobile_node_ids(const cmd::CmdCore &core) { return ids_of(core.bindings()); }
std::vector<std::string> mobile_node_ids(const maar::MaarCore &core) { return ids_of(core.sessions()); }

// A page of each core's list: bindings by MN-ID (the cursor is the last
// MN-ID), sessions by number (the cursor is the last number).
std::optional<std::vector<cmd::BindingView>> page_of(const cmd::CmdCore &core, const std::optional<std::string> &after,
						      std::size_t limit)
{
	return core.bindings_page(after.value_or(std::string()), limit);
}
std::string cursor_of(const cmd::BindingView &view) { return view.mn.nai; }

std::optional<std::vector<maar::SessionView>> page_of(const maar::MaarCore &core,
						       const std::optional<std::string> &after, std::size_t limit)
{
	std::optional<std::uint32_t> number;
	if (after) {
		std::uint32_t value = 0;
		const char *end = after->data() + after->size();
		const auto [at, error] = std::from_chars(after->data(), end, value);
		if (after->empty() || error != std::errc() || at != end)
			return std::nullopt;
		number = value;
	}
	return core.sessions_page(number, limit);
}
std::string cursor_of(const maar::SessionView &view) { return std::to_string(view.number); }

template <class Core>
class CoreAdapter final : public ProtocolCore {
public:
	template <class Config>
	explicit CoreAdapter(Config config) : core_(std::move(config)) {}

	dmm::Actions start(dmm::TimePoint now) override { return core_.start(now); }
	dmm::Actions handle(const dmm::Event &event, dmm::TimePoint now) override { return core_.handle(event, now); }
	void set_wall_clock(dmm::TimePoint steady_now, dmm::WallTime wall_now) override
	{
		core_.set_wall_clock(steady_now, wall_now);
	}
	std::string snapshot() const override { return core_.snapshot(); }
	mh::Result<dmm::Actions, std::string> restore(std::string_view snapshot, dmm::TimePoint now) override
	{
		return core_.restore(snapshot, now);
	}
	std::string snapshot_header() const override { return core_.snapshot_header(); }
	std::optional<std::string> snapshot_record(std::string_view mn) const override
	{
		return core_.snapshot_record(mn);
	}
	std::vector<std::pair<std::string, std::string>> snapshot_records() const override
	{
		std::vector<std::pair<std::string, std::string>> records;
		records.reserve(node_count(core_));
		for (const auto &mn : mobile_node_ids(core_))
			if (auto record = core_.snapshot_record(mn))
				records.emplace_back(mn, std::move(*record));
		return records;
	}
	mh::Result<dmm::Actions, std::string> restore(std::string_view header, std::span<const std::string> records,
						      dmm::TimePoint now) override
	{
		return core_.restore(header, records, now);
	}
	nlohmann::json mobile_nodes(dmm::TimePoint now) const override { return parsed(nodes_json(core_, now)); }
	std::optional<nlohmann::json> mobile_nodes_page(const std::optional<std::string> &after, std::size_t limit,
							dmm::TimePoint now) const override
	{
		const auto views = page_of(core_, after, limit);
		if (!views)
			return std::nullopt;
		nlohmann::json nodes = nlohmann::json::array();
		for (const auto &view : *views)
			nodes.push_back(nlohmann::json::parse(node_json(core_, view, now)));
		// A short page is the last; a full one may be followed by none.
		nlohmann::json next = nullptr;
		if (views->size() == limit && limit > 0)
			next = cursor_of(views->back());
		return nlohmann::json{{"nodes", std::move(nodes)}, {"next", std::move(next)}};
	}
	std::optional<nlohmann::json> mobile_node(std::string_view id, std::string_view realm,
						  dmm::TimePoint now) const override
	{
		const auto view = node_named(core_, id, MacAddress::from_string(id), realm);
		if (!view)
			return std::nullopt;
		return nlohmann::json::parse(node_json(core_, *view, now));
	}
	std::size_t mobile_node_count() const override { return node_count(core_); }
	nlohmann::json serving_maars() const override
	{
		if constexpr (std::is_same_v<Core, cmd::CmdCore>) {
			nlohmann::json maars = nlohmann::json::object();
			for (const auto &[maar, count] : core_.bindings_by_serving_maar())
				maars[maar.to_string()] = {{"bindings", count.bindings}, {"registered", count.registered}};
			return maars;
		} else {
			return nullptr;
		}
	}
	std::vector<dmm::PublishSession> session_records() const override
	{
		if constexpr (std::is_same_v<Core, maar::MaarCore>)
			return core_.session_records();
		else
			return {};
	}
	dmm::CounterMap counters() const override { return core_.counters(); }
	nlohmann::json latencies() const override { return latencies_of(core_); }

private:
	Core core_;
};

std::string lower(std::string_view text)
{
	std::string out(text);
	for (char &c : out)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
	return out;
}

} // namespace

std::unique_ptr<ProtocolCore> make_core(const Config &config)
{
	if (config.cmd)
		return std::make_unique<CoreAdapter<cmd::CmdCore>>(*config.cmd);
	return std::make_unique<CoreAdapter<maar::MaarCore>>(*config.maar);
}

std::optional<nlohmann::json> find_mobile_node(const nlohmann::json &nodes, std::string_view id,
					       std::string_view realm)
{
	if (!nodes.is_array())
		return std::nullopt;
	std::optional<std::string> derived;
	std::optional<std::string> mac_text;
	if (auto mac = MacAddress::from_string(id)) {
		mac_text = mac->to_string();
		derived = dmm::mn_id_from_mac(*mac, realm).nai;
	}
	for (const auto &node : nodes) {
		if (!node.is_object())
			continue;
		auto member = [&](const char *key) -> std::optional<std::string> {
			auto it = node.find(key);
			if (it == node.end() || !it->is_string())
				return std::nullopt;
			return it->get<std::string>();
		};
		const auto nai = member("mn");
		if (nai && *nai == id)
			return node;
		if (derived && nai && *nai == *derived)
			return node;
		for (const char *key : {"mac", "mn_mac"}) {
			const auto mac = member(key);
			if (mac && mac_text && lower(*mac) == *mac_text)
				return node;
		}
	}
	return std::nullopt;
}

} // namespace dlif::daemon
