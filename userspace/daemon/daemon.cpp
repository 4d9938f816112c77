// SPDX-License-Identifier: GPL-2.0
#include "daemon.hpp"
#include "ipsec.hpp"

#include <linux/if_addr.h>
#include <net/if.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dlif/mh/codec.hpp"
#include "dlif/mh/format.hpp"
#include "dlif/nd/nd.hpp"
#include "reconcile.hpp"

#ifndef DLIF_VERSION
#define DLIF_VERSION "unknown"
#endif

namespace dlif::daemon {

namespace {

dmm::TimePoint steady_now()
{
	return dmm::Clock::now();
}

std::int64_t wall_ms()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(dmm::WallClock::now().time_since_epoch()).count();
}

// The fields every MH log line has (R205): type, addresses, sequence,
// flags, lifetime, status, the node, and the codec's one-line rendering
// with every option.
LogFields mh_fields(const mh::Message &message, const Ipv6Address &source, const Ipv6Address &destination)
{
	LogFields fields{{"type", std::string(mh::name(mh::mh_type(message)))},
			 {"src", source.to_string()},
			 {"dst", destination.to_string()}};
	if (const auto *pbu = std::get_if<mh::ProxyBindingUpdate>(&message)) {
		fields.emplace_back("seq", std::to_string(pbu->sequence));
		fields.emplace_back("flags", mh::flag_letters(pbu->flags));
		fields.emplace_back("lifetime", std::to_string(pbu->lifetime.duration().count()) + "s");
	} else if (const auto *pba = std::get_if<mh::ProxyBindingAck>(&message)) {
		fields.emplace_back("seq", std::to_string(pba->sequence));
		fields.emplace_back("status", std::to_string(static_cast<unsigned>(pba->status)));
		fields.emplace_back("flags", mh::flag_letters(pba->flags));
		fields.emplace_back("lifetime", std::to_string(pba->lifetime.duration().count()) + "s");
	} else if (const auto *be = std::get_if<mh::BindingError>(&message)) {
		fields.emplace_back("status", std::to_string(static_cast<unsigned>(be->status)));
	}
	const auto &options = mh::options_of(message);
	if (options.mobile_node_identifier)
		if (auto mn = dmm::mn_id_from_option(*options.mobile_node_identifier))
			fields.emplace_back("mn", mn->nai);
	fields.emplace_back("msg", mh::to_string(message));
	return fields;
}

nlohmann::json counters_object(const dmm::CounterMap &counters)
{
	nlohmann::json object = nlohmann::json::object();
	for (const auto &[key, value] : counters)
		object[key] = value;
	return object;
}

} // namespace

bool RateLimiter::allow(dmm::TimePoint now)
{
	const auto earned = (now - refilled_) / interval_;
	if (earned > 0) {
		tokens_ = static_cast<unsigned>(std::min<std::int64_t>(burst_, tokens_ + static_cast<std::int64_t>(earned)));
		// The first call finds refilled_ at the clock's origin: start
		// counting from now rather than from then.
		refilled_ = earned >= burst_ ? now : refilled_ + earned * interval_;
	}
	if (tokens_ == 0)
		return false;
	--tokens_;
	return true;
}

Daemon::Daemon(Config config, Logger &log)
	: config_(std::move(config)), log_(log), ra_(config_.ra), legacy_store_(config_.state_dir, name(config_.role)),
	  database_(config_.state_dir, name(config_.role)),
	  mh_buffer_(4096)
{
	const StoreConfig &store = config_.store;
	if (store.backend == StoreConfig::Backend::etcd) {
		std::string instance = store.name;
		if (instance.empty()) {
			char host[256] = {};
			gethostname(host, sizeof(host) - 1);
			instance = host;
		}
		etcd_.emplace(EtcdStoreConfig{store.endpoints, store.prefix, instance,
					      std::chrono::duration_cast<std::chrono::seconds>(store.lease_ttl),
					      store.request_timeout,
					      etcd::Tls{store.ca_file, store.cert_file, store.key_file}});
	}
	if (config_.sessions)
		sessions_.emplace(*config_.sessions);
}

Daemon::~Daemon() = default;

bool Daemon::is_peer(const Ipv6Address &address) const
{
	const auto &maars = config_.domain().maars;
	if (std::find(maars.begin(), maars.end(), address) != maars.end())
		return true;
	// Roaming partners (seed 004 §5): a home LMA's visited MAARs, a
	// visited MAAR's home LMAs.
	if (config_.cmd && config_.cmd->roaming) {
		const auto &visited = config_.cmd->roaming->visited;
		return std::find(visited.begin(), visited.end(), address) != visited.end();
	}
	if (config_.maar)
		for (const auto &lma : config_.maar->home_lmas)
			if (lma.address == address)
				return true;
	return config_.maar && config_.maar->cmd == address;
}

Scope Daemon::scope() const
{
	Scope scope;
	if (config_.maar)
		scope.lowers.insert(config_.maar->access_interfaces.begin(), config_.maar->access_interfaces.end());
	if (config_.cmd && config_.cmd->lma)
		scope.lowers.insert(config_.cmd->lma->interface);
	scope.relays = config_.cmd.has_value();
	scope.peers.insert(config_.domain().maars.begin(), config_.domain().maars.end());
	if (config_.maar) {
		scope.peers.insert(config_.maar->cmd);
		for (const auto &lma : config_.maar->home_lmas)
			scope.peers.insert(lma.address);
	}
	return scope;
}

bool Daemon::start()
{
	started_ = steady_now();
	auto fail = [&](std::string_view event, const std::string &error) {
		log_.error(event, {{"error", error}});
		return false;
	};

	if (config_.require_ipsec) {
		// Before anything is opened: without the policies a peer's
		// address is the only proof of who sent a message. Subscribed
		// to their changes before the dump, so that none falls between.
		auto monitor = nl::open_xfrm_policy_monitor();
		if (!monitor)
			return fail("dlifd.start.failed", "security.require_ipsec: cannot watch the IPsec policies: " +
								  monitor.error().describe());
		xfrm_monitor_.emplace(std::move(*monitor));
		auto policies = nl::dump_xfrm_policies();
		if (!policies)
			return fail("dlifd.start.failed", "security.require_ipsec: cannot read the IPsec policies: " +
								  policies.error().describe());
		const auto peers = signalling_peers(config_);
		ipsec_ = ipsec_coverage(*policies, config_.address(), peers);
		const auto gaps = ipsec_gaps(ipsec_, config_.address());
		for (const auto &gap : gaps)
			log_.error("security.ipsec.missing", {{"problem", gap}});
		if (!gaps.empty())
			return fail("dlifd.start.failed",
				    "security.require_ipsec: " + gaps.front() + (gaps.size() > 1 ? " (and " +
					    std::to_string(gaps.size() - 1) + " more)" : std::string()) +
					    "; see Documentation/security.rst");
		log_.notice("security.ipsec.checked", {{"peers", std::to_string(peers.size())},
						       {"policies", std::to_string(policies->size())}});
	}

	auto loop = EventLoop::open();
	if (!loop)
		return fail("dlifd.start.failed", loop.error().describe());
	loop_.emplace(std::move(*loop));
	clock_steps_ = ClockStepWatch::open();
	if (!clock_steps_)
		return fail("dlifd.start.failed", std::string("timerfd (CLOCK_REALTIME): ") + std::strerror(errno));
	timer_fd_ = TimerFd::open();
	if (!timer_fd_)
		return fail("dlifd.start.failed", std::string("timerfd: ") + std::strerror(errno));

	// Signals arrive as reads of a signalfd, in the loop like everything
	// else: a handler never interrupts a half-done action.
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &signals, nullptr);
	signal(SIGPIPE, SIG_IGN);
	signal_fd_.reset(signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
	if (!signal_fd_)
		return fail("dlifd.start.failed", std::string("signalfd: ") + std::strerror(errno));

	if (auto prepared = legacy_store_.prepare(); !prepared)
		return fail("state.dir.failed", prepared.error());

	auto control = ControlServer::open(config_.control_socket, *loop_,
					   [this](const control::Request &request) { return on_control(request); });
	if (!control)
		return fail("control.socket.failed", control.error().describe());
	control_ = std::move(*control);

	const bool needs_kernel = config_.maar || (config_.cmd && (config_.cmd->lma || config_.cmd->roaming));
	if (needs_kernel) {
		// A CMD that only relays for visited MAARs needs ip6tnl, not dlif.ko.
		const bool need_dlif = config_.maar || config_.cmd->lma;
		auto kernel = LinuxKernel::open(config_.address(), need_dlif);
		if (!kernel)
			return fail("kernel.open.failed", kernel.error().describe());
		kernel_ = std::make_unique<LinuxKernel>(std::move(*kernel));
		if (nl::DlifClient *dlif = kernel_->dlif_client())
			dlif->socket().set_warning_handler([this](std::string_view warning) {
				log_.warning("netlink.warning", {{"message", std::string(warning)}});
			});
		derive_ra_mtu(config_);
	}

	auto mh_socket = MhSocket::open(config_.address());
	if (!mh_socket)
		return fail("mh.socket.failed", mh_socket.error().describe());
	mh_socket_.emplace(std::move(*mh_socket));

	if (config_.maar) {
		auto nd = NdSocket::open();
		if (!nd)
			return fail("nd.socket.failed", nd.error().describe());
		nd_socket_.emplace(std::move(*nd));
		auto names = InterfaceNames::open();
		if (!names)
			return fail("names.socket.failed", names.error().describe());
		names_.emplace(std::move(*names));
		for (const auto &interface : config_.maar->access_interfaces) {
			auto packet = PacketSocket::open(interface);
			if (!packet)
				return fail("access.socket.failed", packet.error().describe());
			packet_sockets_.push_back(std::make_unique<PacketSocket>(std::move(*packet)));
		}
	}

	if (config_.maar)
		liveness_ = Liveness({.idle = config_.maar->detach_after});

	MhSender &sender = *this;
	executor_ = std::make_unique<Executor>(kernel_.get(), sender, timers_, ra_, log_);
	if (config_.shared_dlifs)
		executor_->share_dlifs(config_.shared_dlif_linger);
	executor_->defer_departures(true);
	executor_->on_state_changed([this](const std::string &mn) { changed_nodes_.insert(mn); });
	executor_->on_farewell([this](const dmm::InstallDlif &dlif) { send_final_advertisement(dlif); });
	if (sessions_) {
		executor_->on_lookup([this](const dmm::LookupSessions &lookup) { lookups_.push_back(lookup.mn); });
		executor_->on_publish(
			[this](const dmm::PublishSession &publish) { publish_session(publish, steady_now()); });
	}

	auto add = [&](int fd, EventLoop::Handler handler) { return loop_->add(fd, EPOLLIN, std::move(handler)); };
	bool added = add(signal_fd_.get(), [this](std::uint32_t) { on_signal(); }).ok() &&
		     add(timer_fd_->fd(), [this](std::uint32_t) { on_timer(); }).ok() &&
		     add(clock_steps_->fd(), [this](std::uint32_t) { on_clock_step(); }).ok() &&
		     add(mh_socket_->fd(), [this](std::uint32_t) { on_mh(); }).ok();
	if (nd_socket_)
		added = added && add(nd_socket_->fd(), [this](std::uint32_t) { on_solicitation(); }).ok();
	if (xfrm_monitor_)
		added = added && add(xfrm_monitor_->fd(), [this](std::uint32_t) { on_ipsec_policies(); }).ok();
	for (auto &packet : packet_sockets_) {
		PacketSocket *socket = packet.get();
		added = added && add(socket->fd(), [this, socket](std::uint32_t) { on_frame(*socket); }).ok();
	}
	if (!added)
		return fail("dlifd.start.failed", "cannot watch the sockets (epoll)");

	if (etcd_) {
		// A standby until etcd says this instance leads; the leader
		// starts from what etcd holds, never from its own memory.
		core_ = fresh_core(steady_now());
		// A leader that was killed left the address behind; only the
		// leader may answer for it.
		hold_service_address(false);
		if (!check_leadership(steady_now()))
			return fail("dlifd.start.failed", last_leadership_error_);
	} else {
		core_ = make_core(config_);
		if (!restore_state(steady_now()))
			return false;
		// A fresh lease: the records of the last run expire with the
		// old one, unless this state still holds them.
		if (sessions_)
			republish_sessions("start", steady_now());
	}
	// Nodes restored as attached here are watched from now on: one that
	// left while dlifd was down is not refreshed for ever.
	for (const auto &[name, dlif] : executor_->dlifs())
		if (dlif.advertise)
			liveness_.attached(dlif.mn, steady_now());
	schedule_repair(steady_now());
	if (config_.maar && config_.maar->release_idle_after > dmm::Duration::zero())
		next_traffic_sample_ = steady_now();
	save_state();
	after_events();

	LogFields fields{{"version", DLIF_VERSION},
			 {"role", std::string(name(config_.role))},
			 {"address", config_.address().to_string()},
			 {"config", config_.file},
			 {"control_socket", config_.control_socket},
			 {"state", store_where()},
			 {"mobile_nodes", std::to_string(core_->mobile_node_count())}};
	log_.notice("dlifd.started", fields);
	for (const auto &key : config_.obsolete_keys)
		log_.warning("config.obsolete", {{"file", config_.file},
						 {"key", key},
						 {"reason", "no longer used: every change is committed before the "
							    "messages it causes leave"}});
	service_.ready(standby() ? "standby: " + etcd_->known_leader() + " leads"
				 : "serving as " + std::string(name(config_.role)) + " at " + config_.address().to_string());
	feed_watchdog(steady_now());
	arm_timer();	// with the watchdog's deadline
	return true;
}

// A saved state that cannot be used stops the start (fail closed): an
// empty core would have the kernel reconciled to nothing, every DLIF and
// entry of the namespace's nodes removed, every binding forgotten. The
// operator decides (--discard-state).
bool Daemon::unusable_state(std::string_view event, const LogFields &fields, bool legacy)
{
	LogFields all = fields;
	all.emplace_back("file", legacy ? legacy_store_.path() : database_.path());
	if (!discard_unusable_state_) {
		LogFields refused{{"reason", std::string(event)}};
		refused.insert(refused.end(), all.begin(), all.end());
		refused.emplace_back("hint", "fix or move the file, or start once with --discard-state to start empty");
		log_.error("dlifd.start.failed", refused);
		return false;
	}
	log_.error(std::string(event), all);
	if (auto aside = legacy ? legacy_store_.quarantine(wall_ms()) : database_.quarantine(wall_ms()))
		log_.warning("state.quarantined", {{"file", *aside}});
	log_.warning("state.discarded", {{"reason", "--discard-state"},
					 {"effect", "starting empty: the DLIFs and entries of this node's "
						    "interfaces and peers are removed"}});
	return true;
}

bool Daemon::restore_state(dmm::TimePoint now)
{
	core_->set_wall_clock(now, dmm::WallClock::now());
	const auto ours = [&](const std::string &role, const std::string &address) {
		return role == name(config_.role) && address == config_.address().to_string();
	};
	const auto other_owner = [&](const std::string &role, const std::string &address) {
		return LogFields{{"reason", "saved for another role or address"},
				 {"saved_role", role},
				 {"saved_address", address}};
	};
	dmm::Actions actions;
	bool restored = false;
	auto stored = database_.load();
	if (!stored) {
		if (!unusable_state("state.load.failed", {{"error", stored.error()}}, false))
			return false;
	} else if (*stored) {
		const StoredState &state = **stored;
		if (!ours(state.role, state.address)) {
			if (!unusable_state("state.ignored", other_owner(state.role, state.address), false))
				return false;
		} else if (auto reissued = core_->restore(state.header, state.records, now); !reissued) {
			if (!unusable_state("state.restore.failed", {{"error", reissued.error()}}, false))
				return false;
		} else {
			actions = std::move(*reissued);
			restored = true;
			log_.notice("state.restored", {{"file", database_.path()},
						       {"mobile_nodes", std::to_string(core_->mobile_node_count())},
						       {"saved_at", rfc3339(dmm::WallTime(std::chrono::milliseconds(state.saved_at_ms)))}});
		}
	} else if (auto legacy = legacy_store_.load(); !legacy) {
		if (!unusable_state("state.load.failed", {{"error", legacy.error()}}, true))
			return false;
	} else if (*legacy) {
		// The JSON state file of an earlier dlifd: read once, written
		// to the database whole, then kept aside as FILE.migrated.
		const SavedState &state = **legacy;
		if (!ours(state.role, state.address)) {
			if (!unusable_state("state.ignored", other_owner(state.role, state.address), true))
				return false;
		} else if (auto reissued = core_->restore(state.core, now); !reissued) {
			if (!unusable_state("state.restore.failed", {{"error", reissued.error()}}, true))
				return false;
		} else if (auto migrated = commit_everything(); !migrated) {
			log_.error("dlifd.start.failed", {{"reason", "state.migration.failed"},
							  {"error", migrated.error()},
							  {"file", legacy_store_.path()}});
			return false;
		} else {
			actions = std::move(*reissued);
			restored = true;
			const auto aside = legacy_store_.mark_migrated();
			log_.notice("state.migrated", {{"from", legacy_store_.path()},
						       {"to", database_.path()},
						       {"kept_as", aside.value_or("(could not be renamed)")},
						       {"mobile_nodes", std::to_string(core_->mobile_node_count())}});
		}
	}
	if (!restored)
		actions = core_->start(now);
	// A database that cannot take a commit (a read-only file or file
	// system, a full disk) would leave dlifd running but unable to answer
	// anything: refuse now, before the kernel is touched.
	if (auto written = database_.commit(state_changes(false)); !written) {
		log_.error("dlifd.start.failed", {{"reason", "state.commit.failed"},
						  {"error", written.error()},
						  {"file", database_.path()},
						  {"hint", "the state database and its directory must be writable"}});
		return false;
	}
	executor_->reconcile(actions, scope(), now);
	return true;
}

// A transaction of this node's header, with no record yet.
StateChanges Daemon::state_changes(bool replace_all) const
{
	return {std::string(name(config_.role)), config_.address().to_string(), wall_ms(), core_->snapshot_header(), {},
		replace_all};
}

mh::Result<bool, std::string> Daemon::commit_everything()
{
	StateChanges changes = state_changes(true);
	for (auto &[mn, record] : core_->snapshot_records())
		changes.records.emplace_back(std::move(mn), std::move(record));
	return commit(changes);
}

mh::Result<bool, std::string> Daemon::commit(const StateChanges &changes)
{
	return etcd_ ? etcd_->commit(changes) : database_.commit(changes);
}

std::string Daemon::store_where() const
{
	return etcd_ ? etcd_->where() : database_.path();
}

bool Daemon::leadership_check_due() const
{
	return etcd_ && etcd_->leader() && next_leadership_check_ && *next_leadership_check_ <= steady_now();
}

// The leader keeps its lease alive; a standby asks for the leadership. Both
// every third of the lease's TTL, so that a leader's lease is refreshed
// twice before it could expire, and a standby takes over within about a
// TTL and a third of the leader's end. False only when the leadership was
// won but what etcd holds could not be used (take_over).
bool Daemon::check_leadership(dmm::TimePoint now)
{
	const dmm::Duration ttl = config_.store.lease_ttl;
	next_leadership_check_ = now + ttl / 3;
	const auto trouble = [&](const std::string &error) {
		count("store_errors");
		if (error != last_leadership_error_)
			log_.warning("store.unavailable", {{"store", store_where()}, {"error", error}});
		last_leadership_error_ = error;
	};
	if (etcd_->leader()) {
		// How long since etcd last confirmed the lease: a keep-alive due
		// every third of the TTL that comes later than two thirds was
		// held up here (a busy iteration), not by etcd. Said with the
		// reason of a step-down, so that a lost leadership tells which.
		const auto since = now - lease_confirmed_;
		const bool late = since >= ttl * 2 / 3;
		const auto confirmed = [&] {
			return "last confirmed " +
			       std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(since).count()) +
			       " ms before";
		};
		if (late)
			count("store_keepalives_late");
		auto alive = etcd_->keep_alive();
		if (alive && *alive) {
			lease_confirmed_ = now;
			last_leadership_error_.clear();
			hold_service_address(true, true);	// its lifetime too
			return true;
		}
		if (alive) {
			step_down(now, "the lease expired (" + confirmed() + ")");
			return true;
		}
		trouble(alive.error());
		// Unconfirmed for two thirds of the TTL: etcd may hand the
		// leadership to another instance any moment now. Stop
		// answering before that can happen.
		if (late)
			step_down(now, "etcd did not confirm the lease (" + confirmed() + "): " + alive.error());
		return true;
	}
	auto won = etcd_->campaign();
	if (!won) {
		trouble(won.error());
		return true;
	}
	if (!*won) {
		last_leadership_error_.clear();
		return true;
	}
	lease_confirmed_ = now;
	return take_over(now);
}

// An empty core on this node's wall clock: before a leadership, after one.
std::unique_ptr<ProtocolCore> Daemon::fresh_core(dmm::TimePoint now) const
{
	auto core = make_core(config_);
	core->set_wall_clock(now, dmm::WallClock::now());
	return core;
}

// This instance leads from now on: the state from etcd into a new core, the
// CMD's address on the service interface.
bool Daemon::take_over(dmm::TimePoint now)
{
	const auto refuse = [&](const std::string &error) {
		// Never lead from a state that cannot be read: give the lease
		// back (another instance may do better) and try again later.
		count("store_take_over_failures");
		log_.error("store.take_over.failed", {{"store", store_where()}, {"error", error}});
		last_leadership_error_ = "state: " + error;
		etcd_->resign();
		return false;
	};
	// Reading and restoring every binding can outlast the TTL on a
	// starved CPU (dlifd_ha: 6.1 s): the lease is renewed between the
	// steps too, not only at the end.
	const auto renew = [this] {
		if (auto alive = etcd_->keep_alive(); alive && *alive)
			lease_confirmed_ = steady_now();
	};
	auto stored = etcd_->load();
	if (!stored)
		return refuse(stored.error());
	renew();
	auto core = fresh_core(now);
	dmm::Actions actions;
	if (*stored) {
		const StoredState &state = **stored;
		if (state.role != name(config_.role) || state.address != config_.address().to_string())
			return refuse("saved for role " + state.role + " at " + state.address);
		auto restored = core->restore(state.header, state.records, now);
		if (!restored)
			return refuse(restored.error());
		actions = std::move(*restored);
	} else {
		actions = core->start(now);
	}
	core_ = std::move(core);
	timers_.clear();
	changed_nodes_.clear();
	rewrite_all_ = false;	// etcd holds what was just read
	last_leadership_error_.clear();
	renew();
	executor_->reconcile(actions, scope(), now);
	hold_service_address(true);
	count("store_leaderships");
	const dmm::TimePoint done = steady_now();
	// Reading and restoring every binding can outlast a third of the
	// TTL, and the first iterations after it answer the backlog the
	// failover left: renew the lease now, not a whole busy iteration
	// later (dlifd_ha saw leases lapse 3.2-3.5 s after the last
	// confirmation with a TTL of 3 s).
	if (auto alive = etcd_->keep_alive(); alive && *alive)
		lease_confirmed_ = done;
	const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(done - now);
	log_.notice("store.leader", {{"store", store_where()},
				     {"name", etcd_->config().name},
				     {"mobile_nodes", std::to_string(core_->mobile_node_count())},
				     {"took_ms", std::to_string(took.count())}});
	service_.status("leading: serving as " + std::string(name(config_.role)) + " at " +
			config_.address().to_string());
	return true;
}

// Another instance may lead now: stop answering at once, and forget what
// this one knew (a next leadership starts from etcd).
void Daemon::step_down(dmm::TimePoint now, const std::string &reason)
{
	hold_service_address(false);
	etcd_->resign();
	outbox_.clear();
	changed_nodes_.clear();
	rewrite_all_ = false;
	last_save_failure_.reset();
	commits_failing_since_.reset();
	timers_.clear();
	core_ = fresh_core(now);
	count("store_leadership_lost");
	log_.warning("store.standby", {{"store", store_where()}, {"reason", reason}});
	service_.status("standby: " + reason);
}

// The leader holds the CMD's address (the one its peers send to) on the
// service interface, without DAD: it moves between instances, and a killed
// leader's host may still have it. The kernel announces no address added
// without DAD, so dlifd sends the unsolicited Neighbour Advertisement
// itself (Override set): the MAARs' neighbour caches follow at once
// instead of after their entries go stale.
void Daemon::hold_service_address(bool hold, bool renewal)
{
	const std::string &interface = config_.store.service_interface;
	const auto fail = [&](const std::string &error) {
		count("store_service_address_errors");
		log_.error(hold ? "store.address.add.failed" : "store.address.remove.failed",
			   {{"interface", interface}, {"address", config_.address().to_string()}, {"error", error}});
	};
	if (!service_rtnl_) {
		auto opened = nl::RtnlClient::open();
		if (!opened)
			return fail(opened.error().describe());
		service_rtnl_.emplace(std::move(*opened));
	}
	nl::RtnlClient *rtnl = &*service_rtnl_;
	const auto failed = [&](const nl::Error &error) {
		service_rtnl_.reset();	// a socket in trouble is not reused
		fail(error.describe());
	};
	// Looked up each time: the interface may have been recreated.
	auto link = rtnl->get_link(interface);
	if (!link)
		return failed(link.error());
	if (!*link)
		return fail("no such interface");
	nl::InterfaceAddress address;
	address.ifindex = (*link)->ifindex;
	address.address = config_.address();
	address.prefix_length = 128;
	address.flags = IFA_F_NODAD;
	// It lives as long as the lease and is renewed with it: a leader
	// killed on a host that stays up does not keep answering for the
	// address (its neighbours would still resolve it there).
	address.lifetime_s = static_cast<std::uint32_t>(
		std::chrono::duration_cast<std::chrono::seconds>(config_.store.lease_ttl).count());
	auto done = hold ? rtnl->add_address(address) : rtnl->delete_address(address);
	// Already gone (a step down before it was ever added) is not an error.
	if (!done && !(!hold && done.error().code == EADDRNOTAVAIL))
		return failed(done.error());
	if (!hold || renewal)
		return;
	if (!(*link)->address)
		return fail("the interface has no link-layer address to announce");
	auto nd = NdSocket::open();
	if (!nd)
		return fail(nd.error().describe());
	const auto advertisement = nd::build_unsolicited_neighbor_advertisement(
		config_.address(), *(*link)->address);
	// RFC 4861 §7.2.6: a few times, as a single one may be lost.
	for (int i = 0; i < 3; ++i)
		if (auto sent = nd->send_neighbor_advertisement((*link)->ifindex, config_.address(), advertisement); !sent)
			return fail(sent.error().describe());
	count("store_neighbor_advertisements", 3);
}

// One transaction for everything an iteration changed: the header and the
// record of each node named by a StateChanged (or every record after a
// clock step or a core replacement). Its cost follows what changed, not
// the number of nodes.
void Daemon::save_state()
{
	if (!state_dirty())
		return;
	mh::Result<bool, std::string> committed = true;
	std::size_t records = 0;
	if (rewrite_all_) {
		committed = commit_everything();
		records = core_->mobile_node_count();
	} else {
		StateChanges changes = state_changes(false);
		changes.records.reserve(changed_nodes_.size());
		for (const auto &mn : changed_nodes_)
			changes.records.emplace_back(mn, core_->snapshot_record(mn));
		records = changes.records.size();
		committed = commit(changes);
	}
	if (!committed && etcd_ && !etcd_->leader()) {
		step_down(steady_now(), committed.error());
		return;
	}
	if (!committed) {
		// Kept for the next attempt, a second from now; what this
		// iteration would have sent is dropped (after_events): its
		// peers retransmit.
		count("state_save_errors");
		last_save_failure_ = steady_now();
		if (!commits_failing_since_)
			commits_failing_since_ = last_save_failure_;
		log_.error("state.save.failed", {{"error", committed.error()}});
		return;
	}
	changed_nodes_.clear();
	rewrite_all_ = false;
	last_save_failure_.reset();
	commits_failing_since_.reset();
	count("state_saves");
	count("state_records_written", records);
}

namespace {

bool is_pba(const dmm::Event &event)
{
	const auto *received = std::get_if<dmm::MhReceived>(&event);
	return received && std::holds_alternative<mh::ProxyBindingAck>(received->message);
}

bool is_attachment(const dmm::Event &event) { return std::holds_alternative<dmm::MnAttached>(event); }

bool changes_kernel(const dmm::Actions &actions)
{
	return std::any_of(actions.begin(), actions.end(), is_kernel_action);
}

} // namespace

void Daemon::dispatch(const dmm::Event &event, dmm::TimePoint now)
{
	const dmm::Actions actions = core_->handle(event, now);
	dmm::LatencyHistogram *timed = nullptr;
	if (changes_kernel(actions))
		timed = is_pba(event) ? &pba_kernel_latency_ : is_attachment(event) ? &attach_kernel_latency_ : nullptr;
	if (!timed) {
		executor_->apply(actions, now);
		answer_lookups();
		return;
	}
	const dmm::TimePoint started = steady_now();
	executor_->apply(actions, now);
	timed->observe(steady_now() - started);
	answer_lookups();
}

// After the actions that asked: the core's answer to the records may
// then start exchanges of its own, with the lookup's own actions done.
void Daemon::answer_lookups()
{
	if (lookups_.empty() || !sessions_)
		return;
	std::vector<std::string> asked;
	asked.swap(lookups_);
	for (auto &mn : asked) {
		dmm::SessionsFound found;
		found.mn = std::move(mn);
		auto records = sessions_->lookup(found.mn);
		if (records) {
			count("session_db_lookups");
			found.records = std::move(*records);
		} else {
			count("session_db_errors");
			found.error = records.error();
			log_.warning("session-database.lookup.failed", {{"mn", found.mn}, {"error", records.error()}});
		}
		// SessionsFound never asks for another lookup: no recursion
		// beyond this one.
		dispatch(found, steady_now());
	}
}

void Daemon::republish_sessions(std::string_view why, dmm::TimePoint now)
{
	const auto records = core_->session_records();
	const auto published = sessions_->publish_all(config_.address(), records, now);
	count("session_db_writes", published.written);
	LogFields fields{{"why", std::string(why)},
			 {"records", std::to_string(records.size())},
			 {"lease", std::to_string(sessions_->lease())}};
	if (!published.error) {
		log_.notice("session-database.published", fields);
		return;
	}
	count("session_db_errors");
	fields.emplace_back("waiting", std::to_string(sessions_->unwritten()));
	fields.emplace_back("error", *published.error);
	log_.warning("session-database.publish.failed", fields);
}

void Daemon::renew_sessions_lease(dmm::TimePoint now)
{
	switch (sessions_->renew_due(now)) {
	case SessionDirectory::Renewal::not_due:
	case SessionDirectory::Renewal::renewed:
		return;
	case SessionDirectory::Renewal::failed:
		count("session_db_errors");
		log_.warning("session-database.lease.renew-failed", {{"lease", std::to_string(sessions_->lease())}});
		return;
	case SessionDirectory::Renewal::lost:
		// etcd dropped every record on it: away for longer than its TTL.
		count("session_db_leases_lost");
		log_.warning("session-database.lease.lost", {});
		republish_sessions("lease-lost", now);
		return;
	}
}

void Daemon::publish_session(const dmm::PublishSession &publish, dmm::TimePoint now)
{
	const auto failed = sessions_->publish(publish.mn, config_.address(), publish.record, now);
	if (!failed) {
		count(publish.record ? "session_db_writes" : "session_db_deletes");
		return;
	}
	count("session_db_errors");
	log_.warning("session-database.write.failed",
		     {{"mn", publish.mn}, {"record", publish.record ? "put" : "delete"}, {"error", *failed}});
}

// Held until the end of the iteration: a PBA or PBU that reflects a change
// leaves only once the change is committed (save_state), so that a crash
// can never leave a peer believing what this node forgot.
void Daemon::send(const Ipv6Address &destination, const mh::Message &message)
{
	outbox_.emplace_back(destination, message);
}

void Daemon::release_messages()
{
	if (outbox_.empty())
		return;
	if (state_dirty()) {
		// The commit failed: what would have told a peer about it is
		// dropped; the peers' retransmissions (and ours) come back
		// once the state can be written.
		count("mh_tx_uncommitted_dropped", outbox_.size());
		outbox_.clear();
		return;
	}
	std::vector<std::pair<Ipv6Address, mh::Message>> messages;
	messages.swap(outbox_);
	for (const auto &[destination, message] : messages)
		transmit(destination, message);
}

void Daemon::transmit(const Ipv6Address &destination, const mh::Message &message)
{
	auto size = mh::build_into(message, mh_buffer_);
	if (!size) {
		count("mh_tx_errors");
		log_.error("mh.build.failed", {{"dst", destination.to_string()}, {"error", mh::to_string(size.error())}});
		return;
	}
	const auto fields = [&] { return mh_fields(message, config_.address(), destination); };
	if (config_.require_ipsec && !ipsec_.protects_to(destination)) {
		// It would leave in the clear; the retransmissions resume once
		// the policy is back.
		count("mh_tx_unprotected_refused");
		log_.warning("mh.send.refused", fields());
		return;
	}
	if (auto sent = mh_socket_->send(destination, std::span(mh_buffer_).first(*size)); !sent) {
		count("mh_tx_errors");
		LogFields failed = fields();
		failed.emplace_back("error", sent.error().describe());
		log_.warning("mh.send.failed", failed);
		return;
	}
	count("mh_tx");
	// One line per message is debug: at load, formatting and flushing it
	// cost more than the signalling (issue 14). The counters stay.
	if (log_.enabled(dmm::LogLevel::debug))
		log_.debug("mh.sent", fields());
}

void Daemon::on_mh()
{
	const dmm::TimePoint now = steady_now();
	for (int budget = 0; budget < 256; ++budget) {
		// A leader's keep-alive (after_events) goes before the rest of
		// a backlog, which waits in the socket: a whole batch can take
		// seconds on a starved CPU, longer than what is left of a
		// lease's TTL.
		if (budget % 16 == 15 && leadership_check_due()) {
			count("mh_rx_yielded_to_lease");
			return;
		}
		auto received = mh_socket_->receive();
		if (!received) {
			count("mh_rx_errors");
			log_.warning("mh.receive.failed", {{"error", received.error().describe()}});
			return;
		}
		if (!*received)
			return;
		const auto &datagram = **received;
		count("mh_rx");
		if (standby()) {
			// The leader answers; the address may still be on its
			// way to it, or a MAAR's neighbour cache behind.
			count("mh_rx_standby_dropped");
			continue;
		}
		auto parsed = mh::parse(datagram.bytes);
		if (!parsed) {
			count("mh_rx_unparsable");
			log_.notice("mh.unparsable", {{"src", datagram.source.to_string()},
						      {"dst", datagram.destination.to_string()},
						      {"length", std::to_string(datagram.bytes.size())},
						      {"error", mh::to_string(parsed.error())}});
			// RFC 6275 §9.2: an unknown MH type is answered with a
			// Binding Error (status 2), at a limited rate, and only to
			// a configured peer: never a reflector toward a spoofed
			// source.
			if (parsed.error().code == mh::ParseErrorCode::UnsupportedMhType && !is_peer(datagram.source)) {
				count("binding_errors_not_to_strangers");
			} else if (parsed.error().code == mh::ParseErrorCode::UnsupportedMhType) {
				if (binding_errors_.allow(now)) {
					count("binding_errors_sent");
					send(datagram.source, mh::BindingError{});
				} else {
					count("binding_errors_rate_limited");
				}
			}
			continue;
		}
		const mh::Message &message = parsed->message;
		const auto fields = [&] { return mh_fields(message, datagram.source, datagram.destination); };
		if (!is_peer(datagram.source)) {
			// Never acted on: a node outside the configured domain.
			count("mh_rx_unknown_peer");
			log_.notice("mh.unknown_peer", fields());
			continue;
		}
		if (config_.require_ipsec && !ipsec_.protects_from(datagram.source)) {
			// The kernel let it in because no policy requires ESP
			// from this peer any more: anyone who can use its
			// address may have sent it.
			count("mh_rx_unprotected");
			log_.warning("mh.unprotected", fields());
			continue;
		}
		if (log_.enabled(dmm::LogLevel::debug))
			log_.debug("mh.received", fields());
		dispatch(dmm::MhReceived{datagram.source, datagram.destination, message}, now);
	}
}

void Daemon::on_ipsec_policies()
{
	auto changed = xfrm_monitor_->drain();
	if (!changed) {
		count("ipsec_check_errors");
		log_.error("security.ipsec.watch.failed", {{"error", changed.error().describe()}});
		return;
	}
	if (!*changed)
		return;
	auto policies = nl::dump_xfrm_policies();
	if (!policies) {
		// The kernel keeps enforcing the policies; what is kept here is
		// the last view of them, checked again at the next change.
		count("ipsec_check_errors");
		log_.error("security.ipsec.check.failed", {{"error", policies.error().describe()}});
		return;
	}
	IpsecCoverage next = ipsec_coverage(*policies, config_.address(), signalling_peers(config_));
	for (const IpsecChange &change : ipsec_changes(ipsec_, next)) {
		LogFields fields{{"peer", change.peer.to_string()},
				 {"dir", change.direction == nl::XfrmPolicy::Direction::in ? "in" : "out"}};
		if (change.lost) {
			count("ipsec_protection_lost");
			fields.emplace_back("effect", change.direction == nl::XfrmPolicy::Direction::in
							       ? "its Mobility Headers are dropped"
							       : "no Mobility Header is sent to it");
			log_.error("security.ipsec.lost", fields);
		} else {
			log_.notice("security.ipsec.restored", fields);
		}
	}
	ipsec_ = std::move(next);
}

void Daemon::report_attachment(const MacAddress &mac, const std::string &interface, dmm::TimePoint now,
			       std::string_view how)
{
	// A node sends several RSs (and each reaches every DLIF it has): one
	// attachment per node per second is plenty.
	constexpr dmm::Duration kHoldOff{1000};
	auto it = recent_attachments_.find(mac);
	if (it != recent_attachments_.end() && now - it->second < kHoldOff) {
		count("attachments_suppressed");
		return;
	}
	// Pruned when it has doubled since the last pruning, so that a flood
	// of made-up MACs costs amortised O(1) per frame, not O(flood).
	if (recent_attachments_.size() >= 2 * recent_attachments_pruned_ + 64) {
		std::erase_if(recent_attachments_, [&](const auto &item) { return now - item.second >= kHoldOff; });
		recent_attachments_pruned_ = recent_attachments_.size();
	}
	recent_attachments_[mac] = now;
	liveness_.attached(mac, now);
	count("attachments");
	log_.info("mn.attached", {{"mac", mac.to_string()}, {"interface", interface}, {"how", std::string(how)}});
	dispatch(dmm::MnAttached{mac, interface}, now);
}

void Daemon::on_frame(PacketSocket &socket)
{
	const dmm::TimePoint now = steady_now();
	for (int budget = 0; budget < 256; ++budget) {
		auto frame = socket.receive();
		if (!frame) {
			log_.warning("access.receive.failed", {{"interface", socket.interface()}, {"error", frame.error().describe()}});
			return;
		}
		if (!*frame)
			return;
		auto solicitation = nd::parse_solicitation_frame(**frame);
		if (!solicitation) {
			count("rs_invalid");
			log_.debug("rs.invalid", {{"interface", socket.interface()},
						  {"error", std::string(nd::name(solicitation.error().code))}});
			continue;
		}
		count("rs_access");
		const MacAddress &mac = solicitation->ethernet_source;
		// A node with a DLIF here is not new: its RSs reach its DLIFs
		// (the kernel demultiplexes them), where the RA engine answers.
		// A shared DLIF's raw socket does not tell which of its nodes
		// sent one: those are answered here, where the frame does.
		if (executor_->has_dlif(socket.interface(), mac)) {
			if (executor_->sharing())
				solicited_by(mac, socket.interface(), *solicitation, now);
			continue;
		}
		liveness_.heard(mac, solicitation->source, now);
		report_attachment(mac, socket.interface(), now, "rs");
	}
}

void Daemon::on_solicitation()
{
	const dmm::TimePoint now = steady_now();
	for (int budget = 0; budget < 256; ++budget) {
		auto received = nd_socket_->receive();
		if (!received) {
			log_.warning("nd.receive.failed", {{"error", received.error().describe()}});
			return;
		}
		if (!*received)
			return;
		const auto &solicitation = **received;
		const std::string dlif = names_->name(solicitation.ifindex);
		if (executor_->is_shared_device(dlif)) {
			// Its node by the address it sent from (RSs come from the
			// access interface's frame, which names it).
			if (const auto node = node_on_shared(dlif, solicitation.source);
			    node && solicitation.hop_limit == nd::kNdHopLimit)
				liveness_.heard(*node, solicitation.source, now);
			count("nd_dlif");
			continue;
		}
		const auto found = executor_->dlifs().find(dlif);
		if (found == executor_->dlifs().end())
			continue;	// an access interface (handled from the frame) or another link
		// Frames reach a DLIF only from its node: whatever it sends is
		// a sign of life, whether it answers a probe or not.
		if (solicitation.hop_limit == nd::kNdHopLimit)
			liveness_.heard(found->second.mn, solicitation.source, now);
		if (solicitation.icmp.empty() || solicitation.icmp[0] != nd::kIcmpv6RouterSolicitation) {
			count("nd_dlif");
			continue;
		}
		if (solicitation.hop_limit != nd::kNdHopLimit ||
		    !nd::parse_router_solicitation(solicitation.icmp, solicitation.source == Ipv6Address{})) {
			count("rs_invalid");
			continue;
		}
		count("rs_dlif");
		answer_solicitation(dlif, now);
	}
}

// Which node of a shared DLIF sent from `source`: the one whose prefix it
// is in, or one this daemon probes at that address (a link-local one) and
// that is bound to the DLIF.
std::optional<MacAddress> Daemon::node_on_shared(const std::string &device, const Ipv6Address &source) const
{
	if (auto node = executor_->node_at(device, source))
		return node;
	for (const auto &mn : liveness_.probed_at(source))
		for (const auto &name : executor_->dlifs_of(mn))
			if (const auto link = executor_->link_of(name); link && link->device == device)
				return mn;
	return std::nullopt;
}

void Daemon::answer_solicitation(const std::string &dlif, dmm::TimePoint now)
{
	switch (ra_.solicited(dlif, now)) {
	case RaEngine::Solicitation::answer:
		count("rs_answered");
		break;
	case RaEngine::Solicitation::rate_limited:
		count("rs_rate_limited");
		break;
	case RaEngine::Solicitation::silent: {
		// A kept DLIF hears its node again: the node is back here.
		const auto &install = executor_->dlifs().at(dlif);
		report_attachment(install.mn, install.lower, now, "rs-on-silent-dlif");
		break;
	}
	case RaEngine::Solicitation::unknown:
		break;
	}
}

// An RS from a node with DLIFs on shared netdevices, seen on its access
// interface: each of its DLIFs there answers.
void Daemon::solicited_by(const MacAddress &mn, const std::string &interface, const nd::SolicitationFrame &frame,
			  dmm::TimePoint now)
{
	liveness_.heard(mn, frame.source, now);
	count("rs_dlif");
	std::size_t answered = 0;
	for (const auto &name : executor_->dlifs_of(mn)) {
		// Answering may change the node's DLIFs (a node back here).
		const auto found = executor_->dlifs().find(name);
		if (found != executor_->dlifs().end() && found->second.lower == interface) {
			answer_solicitation(name, now);
			++answered;
		}
	}
	log_.debug("rs.received", {{"mn", mn.to_string()}, {"interface", interface}, {"dlifs", std::to_string(answered)}});
}

void Daemon::check_liveness(dmm::TimePoint now)
{
	// Asked only for the nodes whose deadline has come: the frames their
	// DLIFs received, in all. Unknown on an error: the node is probed.
	const auto frames_from = [&](const MacAddress &mn) -> std::optional<std::uint64_t> {
		if (!kernel_)
			return std::nullopt;
		std::optional<std::uint64_t> total;
		for (const auto &name : executor_->dlifs_of(mn)) {
			// A shared DLIF's own counters add up all its nodes: the
			// node's binding counts its frames.
			const auto link = executor_->link_of(name);
			if (!link)
				continue;
			auto received = link->node ? kernel_->binding_frames(link->device, mn)
						   : kernel_->received_frames(name);
			if (!received) {
				count("liveness_frame_errors");
				log_.debug("liveness.frames.failed", {{"dlif", name}, {"error", received.error().describe()}});
				return std::nullopt;
			}
			if (*received)
				total = total.value_or(0) + **received;
		}
		return total;
	};
	auto due = liveness_.take_due(now, frames_from);
	for (const auto &mn : due.sending) {
		count("liveness_frames_seen");
		log_.debug("mn.sending", {{"mac", mn.to_string()}});
	}
	// A node's DLIFs all sit on its access link: any one of them can
	// probe it.
	for (const auto &probe : due.probes) {
		const auto names = executor_->dlifs_of(probe.mn);
		if (names.empty()) {
			liveness_.forget(probe.mn);	// no session here (any more): nothing to detach
			continue;
		}
		const dmm::InstallDlif &dlif = executor_->dlifs().at(*names.begin());
		const auto link = executor_->link_of(dlif.name);
		const std::uint32_t ifindex = link ? names_->index(link->device) : 0;
		const auto solicitation = nd::build_neighbor_solicitation(probe.target, dlif.identity.mac);
		auto sent = ifindex == 0 ? nl::Status(nl::make_error(ENODEV, "no device " + dlif.name))
					 : nd_socket_->send_solicitation(ifindex, dlif.identity.link_local, probe.target,
									 probe.mn, solicitation);
		if (!sent) {
			count("nud_probe_errors");
			log_.debug("nud.probe.failed", {{"dlif", dlif.name}, {"error", sent.error().describe()}});
			continue;
		}
		count("nud_probes");
		log_.debug("nud.probe", {{"mn", probe.mn.to_string()}, {"dlif", dlif.name},
					 {"target", probe.target.to_string()}});
	}
	for (const auto &mn : due.gone) {
		if (executor_->dlifs_of(mn).empty())
			continue;
		count("detachments_unanswered");
		log_.info("mn.detached", {{"mac", mn.to_string()}, {"how", "no-answer"},
					  {"after", std::to_string(config_.maar->detach_after.count() / 1000) + "s"}});
		recent_attachments_.erase(mn);
		dispatch(dmm::MnDetached{mn}, now);
	}
}

// One RA of `plan` on the DLIF, from its identity.
nl::Status Daemon::advertise(const dmm::InstallDlif &dlif, const dmm::RaPlan &plan)
{
	const auto link = executor_->link_of(dlif.name);
	const std::uint32_t ifindex = link ? names_->index(link->device) : 0;
	if (ifindex == 0)
		return nl::make_error(ENODEV, "no device " + dlif.name);
	return nd_socket_->send_advertisement(ifindex, dlif.identity.link_local,
					      nd::build_router_advertisement(plan, dlif.identity.mac), link->node);
}

void Daemon::send_due_advertisements(dmm::TimePoint now)
{
	if (!nd_socket_)
		return;
	for (const auto &name : ra_.take_due(now)) {
		const dmm::InstallDlif *dlif = ra_.find(name);
		if (dlif == nullptr)
			continue;
		auto sent = advertise(*dlif, dlif->ra);
		if (!sent) {
			count("ra_tx_errors");
			// A DLIF whose access link is down cannot send: expected,
			// and it would repeat every interval.
			const auto level = sent.error().code == ENETDOWN ? dmm::LogLevel::debug : dmm::LogLevel::warning;
			log_.log(level, "ra.send.failed", {{"dlif", name}, {"error", sent.error().describe()}});
			continue;
		}
		count("ra_tx");
		log_.debug("ra.sent", {{"dlif", name},
				       {"mn", dlif->mn.to_string()},
				       {"src", dlif->identity.link_local.to_string()},
				       {"prefixes", std::to_string(dlif->ra.prefixes.size())},
				       {"routes", std::to_string(dlif->ra.routes.size())}});
	}
}

// RFC 4861 §6.2.5: a DLIF that goes while its node may still be there (a
// previous MAAR released, a session ended) says so with a Router Lifetime
// of 0, so that the node drops it as a default router at once instead of
// when neighbour unreachability detection finds it gone (30 s without a
// route here, on 6.12). Its prefixes are deprecated and their routes
// withdrawn; the valid lifetimes stay, as RFC 4862's two-hour rule would
// ignore less. One RA, not three: the device goes right after it.
void Daemon::send_final_advertisement(const dmm::InstallDlif &dlif)
{
	if (!nd_socket_)
		return;
	dmm::RaPlan last = dlif.ra;
	last.router_lifetime = dmm::Duration::zero();
	for (auto &prefix : last.prefixes)
		prefix.preferred_lifetime = dmm::Duration::zero();
	for (auto &route : last.routes)
		route.lifetime = dmm::Duration::zero();
	auto sent = advertise(dlif, last);
	if (!sent) {
		count("ra_tx_errors");
		log_.debug("ra.final.failed", {{"dlif", dlif.name}, {"error", sent.error().describe()}});
		return;
	}
	count("ra_final_tx");
	log_.debug("ra.final.sent", {{"dlif", dlif.name}, {"mn", dlif.mn.to_string()}});
}

void Daemon::on_timer()
{
	timer_fd_->acknowledge();
	if (core_timers_held())
		return;
	const dmm::TimePoint now = steady_now();
	for (const auto id : timers_.pop_due(now))
		dispatch(dmm::TimerFired{id}, now);
}

// While the state cannot be committed, what the core sends is dropped
// (release_messages). Its timers then wait too: a retransmission counted
// but never sent would spend the budget of a handover or a previous-MAAR
// update, and a failure decided after retransmissions that never left
// would cost a node its earlier prefixes for an outage of the store. They
// fire, late, once a commit goes through; lifetimes expire late too, the
// safe side when nothing can be written.
bool Daemon::core_timers_held() const
{
	return commits_failing_since_.has_value();
}

// The wall clock was set: the steady clock, which the cores' deadlines
// use, did not move, but its mapping to wall time (Timestamp options,
// saved deadlines) must follow, or every timestamp this node sends is off
// by the step and its peers refuse them (status 156).
void Daemon::on_clock_step()
{
	if (!clock_steps_->stepped())
		return;
	const dmm::TimePoint now = steady_now();
	core_->set_wall_clock(now, dmm::WallClock::now());
	count("wall_clock_steps");
	log_.notice("clock.stepped", {{"wall", rfc3339(dmm::WallClock::now())}});
	rewrite_all_ = true;	// every saved deadline, in the new wall time
}

void Daemon::after_events()
{
	const dmm::TimePoint now = steady_now();
	executor_->retry_due(now);
	if (sessions_) {
		renew_sessions_lease(now);
		const std::size_t waiting = sessions_->unwritten();
		if (const std::size_t written = sessions_->retry_due(now)) {
			count("session_db_writes", written);
			log_.notice("session-database.caught-up",
				    {{"written", std::to_string(written)}, {"waiting", std::to_string(waiting - written)}});
		}
	}
	if (next_leadership_check_ && *next_leadership_check_ <= now)
		check_leadership(now);
	if (next_repair_ && *next_repair_ <= now) {
		executor_->repair(scope(), now);
		schedule_repair(now);
	}
	check_liveness(now);
	if (next_traffic_sample_ && *next_traffic_sample_ <= now)
		sample_traffic(now);
	send_due_advertisements(now);
	// Messages waiting for a commit are a reason to try again at once,
	// before the second after a failed one is over.
	if (auto due = save_deadline(); due && (*due <= now || !outbox_.empty()))
		save_state();
	release_messages();
	// The netdevices of nodes that left go once the answers are out.
	executor_->finish_departures(now);
	if (next_watchdog_ && *next_watchdog_ <= now)
		feed_watchdog(now);
	// Checked after events, not on a timer of its own: an interval's
	// summary is written with the first events after it ends, so an idle
	// daemon never wakes up for it.
	if (auto summary = mh_summary_.due(now, counter("mh_tx"), counter("mh_rx")))
		log_.info("mh.summary", *summary);
	arm_timer();
}

// [maar] release_idle_after: the serving entries' counters go to the core
// four times per idle period (at most once a second, at least once a
// minute), so that a previous MAAR is released within a quarter period of
// going idle. One filtered dump; the core compares.
void Daemon::sample_traffic(dmm::TimePoint now)
{
	const dmm::Duration every =
		std::clamp<dmm::Duration>(config_.maar->release_idle_after / 4, std::chrono::seconds(1), std::chrono::minutes(1));
	next_traffic_sample_ = now + every;
	if (!kernel_ || core_timers_held())
		return;	// a release's refresh would be held too
	auto traffic = kernel_->serving_traffic();
	if (!traffic) {
		count("traffic_sample_failures");
		log_.warning("traffic.sample-failed", {{"error", traffic.error().describe()}});
		return;
	}
	dispatch(dmm::TrafficSampled{std::move(*traffic)}, now);
}

void Daemon::schedule_repair(dmm::TimePoint now)
{
	if (config_.reconcile_interval > dmm::Duration::zero())
		next_repair_ = now + config_.reconcile_interval;
	else
		next_repair_.reset();
}

std::uint64_t Daemon::counter(const std::string &name) const
{
	// Not counters_[name]: a counter that never counted stays out of
	// `dlifctl counters`.
	const auto it = counters_.find(name);
	return it == counters_.end() ? 0 : it->second;
}

// Pinged from the loop itself, after the events of an iteration: a loop
// stuck in a handler (or a kernel call) stops the pings, and systemd
// restarts dlifd.
void Daemon::feed_watchdog(dmm::TimePoint now)
{
	const auto period = service_.watchdog_period();
	if (!period)
		return;
	service_.feed_watchdog();
	next_watchdog_ = now + *period;
}

// When the changed state must be written: at the end of the iteration that
// changed it, or a second after a commit that failed.
std::optional<dmm::TimePoint> Daemon::save_deadline() const
{
	if (!state_dirty())
		return std::nullopt;
	if (!last_save_failure_)
		return dmm::TimePoint{};
	return *last_save_failure_ + std::chrono::seconds(1);
}

void Daemon::arm_timer()
{
	auto deadline = core_timers_held() ? std::nullopt : timers_.next_deadline();
	for (auto other : {ra_.next_deadline(), save_deadline(), liveness_.next_deadline(), next_watchdog_,
			   executor_->next_retry(), executor_->next_expiry(), next_repair_, next_traffic_sample_, next_leadership_check_,
			   sessions_ ? sessions_->next_retry() : std::nullopt,
			   sessions_ ? sessions_->next_renewal() : std::nullopt})
		if (other && (!deadline || *other < *deadline))
			deadline = other;
	timer_fd_->arm(deadline);
}

void Daemon::on_signal()
{
	signalfd_siginfo info;
	while (::read(signal_fd_.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
		if (info.ssi_signo == SIGHUP) {
			reload();
		} else {
			log_.notice("dlifd.stopping", {{"signal", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM"}});
			service_.stopping();
			stopping_ = true;
		}
	}
}

void Daemon::reload()
{
	// systemd waits for READY=1 after RELOADING=1, whatever the outcome.
	service_.reloading();
	apply_reload();
	service_.ready("reloaded " + config_.file);
}

// Without maar.ra.mtu, the MTU is derived from the access interfaces
// (tunnel_safe_mtu()). Done before the core starts and on every reload,
// with the next configuration, so that a reload never sees the derived
// value as a change.
void Daemon::derive_ra_mtu(Config &config)
{
	if (!config.maar || config.maar->ra_mtu || config.maar->access_interfaces.empty() || !kernel_)
		return;
	auto mtu = tunnel_safe_mtu(*kernel_, config.maar->access_interfaces);
	if (!mtu) {
		log_.warning("ra.mtu.unknown", {{"error", mtu.error()}, {"advertised", "none (set maar.ra.mtu)"}});
		return;
	}
	config.maar->ra_mtu = *mtu;
	log_.notice("ra.mtu.derived", {{"access_mtu", std::to_string(*mtu + kTunnelOverhead)},
				       {"advertised", std::to_string(*mtu)}});
}

void Daemon::apply_reload()
{
	auto next = load_config(config_.file);
	if (!next) {
		log_.error("config.reload.failed", {{"error", next.error().to_string()}});
		return;
	}
	derive_ra_mtu(*next);
	const Reload plan = plan_reload(config_, *next);
	for (const auto &key : plan.needs_restart)
		log_.warning("config.reload.refused", {{"key", key}, {"reason", "takes effect only after a restart"}});
	if (plan.changed.empty()) {
		log_.notice("config.reload.unchanged", {{"file", config_.file}});
		return;
	}
	log_.set_level(plan.applied.log_level);
	const bool core_changed = std::any_of(plan.changed.begin(), plan.changed.end(), [](const std::string &key) {
		return key.starts_with("maar.ra.") || key.starts_with("maar.admission.");
	});
	if (core_changed) {
		// The core builds the RA plans from its configuration: a core
		// with the new one takes over the state through a snapshot, and
		// re-issues every DLIF with its new plan (installed in place).
		const dmm::TimePoint now = steady_now();
		auto replacement = make_core(plan.applied);
		replacement->set_wall_clock(now, dmm::WallClock::now());
		auto reissued = replacement->restore(core_->snapshot(), now);
		if (!reissued) {
			log_.error("config.reload.failed", {{"error", "the core refused its own state: " + reissued.error()},
							    {"kept", "the running RA parameters"}});
			config_.log_level = plan.applied.log_level;
			return;
		}
		core_ = std::move(replacement);
		rewrite_all_ = true;
		timers_.clear();
		ra_.set_timing(plan.applied.ra, now);
		executor_->apply(*reissued, now);
	}
	config_ = plan.applied;
	schedule_repair(steady_now());
	std::string changed;
	for (const auto &key : plan.changed)
		changed += (changed.empty() ? "" : ",") + key;
	log_.notice("config.reloaded", {{"changed", changed}});
}

nlohmann::json Daemon::status_json(dmm::TimePoint now) const
{
	nlohmann::json status = {{"version", DLIF_VERSION},
		{"role", name(config_.role)},
		{"address", config_.address().to_string()},
		{"pid", static_cast<long>(getpid())},
		{"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(now - started_).count()},
		{"config", config_.file},
		{"control_socket", config_.control_socket},
		{"state_file", store_where()},
		{"store", etcd_ ? nlohmann::json{{"backend", "etcd"},
						 {"name", etcd_->config().name},
						 {"leader", etcd_->known_leader()},
						 {"this_instance", etcd_->leader() ? "leader" : "standby"}}
				: nlohmann::json{{"backend", "sqlite"}}},
		{"log_level", name(log_.level())},
		{"mobile_nodes", core_->mobile_node_count()},
		{"dlifs", executor_->dlifs().size()},
		{"advertising_dlifs", ra_.advertising()},
		{"entries", executor_->entries().size()},
		{"timers", timers_.size()},
		{"kernel_retries_pending", executor_->pending_retries()},
		{"state_pending_records", rewrite_all_ ? core_->mobile_node_count() : changed_nodes_.size()},
		{"state_commit_failing_s",
		 commits_failing_since_
			 ? std::chrono::duration_cast<std::chrono::seconds>(now - *commits_failing_since_).count()
			 : 0},
		{"kernel", kernel_ != nullptr}};
	if (config_.cmd)
		status["serving_maars"] = core_->serving_maars();
	if (sessions_)
		// Direct mode: the records etcd has not taken yet, and the lease
		// they live on (0: none yet, or lost and not yet replaced).
		status["session_database"] = {{"endpoints", config_.sessions->endpoints},
					      {"lease", sessions_->lease()},
					      {"unwritten_records", sessions_->unwritten()}};
	return status;
}

nlohmann::json Daemon::counters_json() const
{
	dmm::CounterMap daemon = counters_;
	for (const auto &[key, value] : executor_->counters())
		daemon[key] += value;
	nlohmann::json latency = core_->latencies();
	if (config_.maar) {
		latency["attach_to_kernel_applied"] = to_json(attach_kernel_latency_);
		latency["pba_to_kernel_applied"] = to_json(pba_kernel_latency_);
	}
	nlohmann::json counters{{"core", counters_object(core_->counters())}, {"daemon", counters_object(daemon)}};
	if (!latency.empty())	// a CMD times nothing yet
		counters["latency"] = std::move(latency);
	return counters;
}

nlohmann::json Daemon::kernel_view_of(const nlohmann::json &node) const
{
	// What the daemon installed for this node: its DLIFs and their
	// table entries (the core's view says what it wants; this says what
	// the kernel was given).
	std::optional<MacAddress> mac;
	for (const char *key : {"mac", "mn_mac"})
		if (auto it = node.find(key); it != node.end() && it->is_string())
			mac = MacAddress::from_string(it->get<std::string>());
	std::set<std::string> names;
	if (mac)
		names = executor_->dlifs_of(*mac);
	if (const auto lma = node.find("dlif");
	    lma != node.end() && lma->is_string() && executor_->dlifs().contains(lma->get<std::string>()))
		names.insert(lma->get<std::string>());
	nlohmann::json dlifs = nlohmann::json::array();
	std::set<std::string> entry_keys;
	for (const auto &dlif_name : names) {
		const dmm::InstallDlif &dlif = executor_->dlifs().at(dlif_name);
		// On a shared netdevice the name is the node's place on it: the
		// netdevice is named too.
		const auto link = executor_->link_of(dlif_name);
		const std::string device = link ? link->device : dlif_name;
		nlohmann::json item{{"name", dlif_name},
				    {"ifindex", names_ ? names_->index(device) : 0},
				    {"lower", dlif.lower},
				    {"mac", dlif.identity.mac.to_string()},
				    {"link_local", dlif.identity.link_local.to_string()},
				    {"maar", dlif.anchoring_maar.to_string()},
				    {"advertising", dlif.advertise}};
		if (link && link->node)
			item["device"] = device;
		dlifs.push_back(std::move(item));
		entry_keys.merge(executor_->entry_keys_of(dlif_name));
	}
	// In the order of entries(), by prefix text, as before.
	nlohmann::json entries = nlohmann::json::array();
	for (const auto &key : entry_keys) {
		const KernelEntry &entry = executor_->entries().at(key);
		nlohmann::json item{{"prefix", entry.prefix.to_string()}, {"role", name(entry.role)}, {"dlif", *entry.dlif}};
		if (entry.peer)
			item["peer"] = entry.peer->to_string();
		entries.push_back(std::move(item));
	}
	return {{"dlifs", std::move(dlifs)}, {"tunnels", std::move(entries)}};
}

control::Reply Daemon::on_control(const control::Request &request)
{
	const dmm::TimePoint now = steady_now();
	if (std::holds_alternative<control::StatusRequest>(request))
		return control::success(status_json(now));
	if (const auto *list = std::get_if<control::MnListRequest>(&request)) {
		if (!list->limit)
			return control::success(core_->mobile_nodes(now));
		auto page = core_->mobile_nodes_page(list->after, *list->limit, now);
		if (!page)
			return control::failure("mn-list: \"" + *list->after + "\" is not a cursor of this " +
						 (config_.maar ? "MAAR" : "CMD"));
		return control::success(std::move(*page));
	}
	if (std::holds_alternative<control::CountersRequest>(request))
		return control::success(counters_json());
	if (const auto *show = std::get_if<control::MnShowRequest>(&request)) {
		auto node = core_->mobile_node(show->mn, config_.domain().realm, now);
		if (!node)
			return control::failure("no mobile node \"" + show->mn + "\"");
		if (kernel_ != nullptr)
			(*node)["kernel"] = kernel_view_of(*node);
		return control::success(std::move(*node));
	}
	if (const auto *attach = std::get_if<control::AttachRequest>(&request)) {
		if (!config_.maar)
			return control::failure("attach: this dlifd is a CMD; attachments happen at MAARs");
		const auto &interfaces = config_.maar->access_interfaces;
		if (std::find(interfaces.begin(), interfaces.end(), attach->interface) == interfaces.end())
			return control::failure("attach: \"" + attach->interface + "\" is not an access interface of this MAAR");
		auto mac = MacAddress::from_string(attach->mac);
		if (!mac || mac->is_zero() || (mac->bytes[0] & 0x01))
			return control::failure("attach: \"" + attach->mac + "\" is not a unicast MAC address");
		count("attachments_requested");
		// Watched from now on, as a node attached by its RS is: the
		// access point says when it comes, not always when it goes.
		liveness_.attached(*mac, now);
		log_.info("mn.attached", {{"mac", mac->to_string()}, {"interface", attach->interface}, {"how", "control"}});
		dispatch(dmm::MnAttached{*mac, attach->interface}, now);
		return control::success({{"attached", mac->to_string()}, {"interface", attach->interface}});
	}
	const auto &detach = std::get<control::DetachRequest>(request);
	if (!config_.maar)
		return control::failure("detach: this dlifd is a CMD; detachments happen at MAARs");
	auto mac = MacAddress::from_string(detach.mac);
	if (!mac)
		return control::failure("detach: \"" + detach.mac + "\" is not a MAC address");
	count("detachments_requested");
	log_.info("mn.detached", {{"mac", mac->to_string()}, {"how", "control"}});
	liveness_.forget(*mac);
	dispatch(dmm::MnDetached{*mac}, now);
	return control::success({{"detached", mac->to_string()}});
}

int Daemon::run()
{
	while (!stopping_) {
		if (auto status = loop_->run_once(); !status) {
			log_.error("dlifd.loop.failed", {{"error", status.error().describe()}});
			save_state();
			return 1;
		}
		after_events();
	}
	// SIGTERM: the state is saved and the kernel's DLIFs and entries stay
	// as they are, so that flows go on and a restarted dlifd adopts them.
	save_state();
	if (etcd_ && etcd_->leader()) {
		// Handed over now rather than when the lease runs out.
		hold_service_address(false);
		etcd_->resign();
		log_.notice("store.resigned", {{"store", store_where()}});
	}
	control_.reset();
	log_.notice("dlifd.stopped", {{"mobile_nodes", std::to_string(core_->mobile_node_count())},
				      {"dlifs_kept", std::to_string(executor_->dlifs().size())},
				      {"entries_kept", std::to_string(executor_->entries().size())}});
	return 0;
}

} // namespace dlif::daemon
