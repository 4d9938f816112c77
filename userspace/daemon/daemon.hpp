// SPDX-License-Identifier: GPL-2.0
//
// dlifd put together: one thread, one epoll loop. Sockets, the timerfd,
// the signalfd and the control socket turn into the core's Events; the
// Executor carries out its Actions; what an iteration changed is committed
// to the state database before the messages it causes are sent. See Documentation/admin-guide.rst for what it does and
// what survives what.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dlif/dmm/latency.hpp"
#include "dlif/nd/nd.hpp"
#include "dlif/nl/rtnl.hpp"

#include "config.hpp"
#include "control_server.hpp"
#include "core.hpp"
#include "etcd_store.hpp"
#include "event_loop.hpp"
#include "executor.hpp"
#include "interface_names.hpp"
#include "ipsec.hpp"
#include "liveness.hpp"
#include "linux_kernel.hpp"
#include "log.hpp"
#include "ra_engine.hpp"
#include "service_notifier.hpp"
#include "session_directory.hpp"
#include "sockets.hpp"
#include "state.hpp"
#include "state_db.hpp"
#include "timers.hpp"

namespace dlif::daemon {

// At most `burst` events at once, then one per `interval` (a token
// bucket): for Binding Errors and other answers to strangers.
class RateLimiter {
public:
	RateLimiter(dmm::Duration interval, unsigned burst) : interval_(interval), burst_(burst), tokens_(burst) {}
	bool allow(dmm::TimePoint now);

private:
	dmm::Duration interval_;
	unsigned burst_;
	unsigned tokens_;
	dmm::TimePoint refilled_{};
};

class Daemon final : private MhSender {
public:
	Daemon(Config config, Logger &log);
	~Daemon() override;
	Daemon(const Daemon &) = delete;
	Daemon &operator=(const Daemon &) = delete;

	// Opens everything and restores the state; false (logged) when the
	// daemon cannot run. Nothing in the kernel is changed before every
	// socket is open.
	// A saved state that cannot be used (unreadable, another version, role
	// or address) is moved aside and dlifd starts empty, instead of
	// refusing to start (--discard-state).
	void discard_unusable_state() noexcept { discard_unusable_state_ = true; }
	bool start();
	// Until SIGTERM or SIGINT; the exit status.
	int run();

private:
	// MhSender
	void send(const Ipv6Address &destination, const mh::Message &message) override;
	void transmit(const Ipv6Address &destination, const mh::Message &message);
	void release_messages();

	void dispatch(const dmm::Event &event, dmm::TimePoint now);
	bool restore_state(dmm::TimePoint now);
	bool unusable_state(std::string_view event, const LogFields &fields, bool legacy);
	StateChanges state_changes(bool replace_all) const;
	// The database or etcd, whichever [store] names.
	mh::Result<bool, std::string> commit(const StateChanges &changes);
	std::string store_where() const;
	// [store] backend = "etcd": one instance, the leader, answers.
	bool standby() const { return etcd_ && !etcd_->leader(); }
	bool check_leadership(dmm::TimePoint now);
	bool leadership_check_due() const;	// a leader's keep-alive is due
	std::unique_ptr<ProtocolCore> fresh_core(dmm::TimePoint now) const;
	bool take_over(dmm::TimePoint now);
	void step_down(dmm::TimePoint now, const std::string &reason);
	// renewal: the leader's address renewed with its lease (no NA).
	void hold_service_address(bool hold, bool renewal = false);
	mh::Result<bool, std::string> commit_everything();
	void save_state();
	bool state_dirty() const { return rewrite_all_ || !changed_nodes_.empty(); }
	void after_events();
	void arm_timer();
	void feed_watchdog(dmm::TimePoint now);
	void schedule_repair(dmm::TimePoint now);

	void on_signal();
	void on_timer();
	bool core_timers_held() const;
	void on_clock_step();
	void on_mh();
	void on_ipsec_policies();
	void on_solicitation();
	void answer_solicitation(const std::string &dlif, dmm::TimePoint now);
	std::optional<MacAddress> node_on_shared(const std::string &device, const Ipv6Address &source) const;
	void solicited_by(const MacAddress &mn, const std::string &interface, const nd::SolicitationFrame &frame,
			  dmm::TimePoint now);
	void on_frame(PacketSocket &socket);
	void send_due_advertisements(dmm::TimePoint now);
	void send_final_advertisement(const dmm::InstallDlif &dlif);
	nl::Status advertise(const dmm::InstallDlif &dlif, const dmm::RaPlan &plan);
	void check_liveness(dmm::TimePoint now);
	void sample_traffic(dmm::TimePoint now);
	void report_attachment(const MacAddress &mac, const std::string &interface, dmm::TimePoint now,
			       std::string_view how);
	void reload();
	void apply_reload();
	void derive_ra_mtu(Config &config);

	control::Reply on_control(const control::Request &request);
	nlohmann::json status_json(dmm::TimePoint now) const;
	nlohmann::json counters_json() const;
	nlohmann::json kernel_view_of(const nlohmann::json &node) const;

	bool is_peer(const Ipv6Address &address) const;
	Scope scope() const;
	void count(const std::string &name, std::uint64_t by = 1) { counters_[name] += by; }
	std::uint64_t counter(const std::string &name) const;
	std::optional<dmm::TimePoint> save_deadline() const;

	Config config_;
	Logger &log_;
	dmm::TimePoint started_{};
	bool stopping_ = false;
	bool discard_unusable_state_ = false;
	// What changed since the last commit: these nodes' records (and the
	// header), or everything.
	std::unordered_set<std::string> changed_nodes_;
	bool rewrite_all_ = false;
	std::optional<dmm::TimePoint> last_save_failure_;
	std::optional<dmm::TimePoint> commits_failing_since_;	// the first failure of a run of them
	// The messages of this iteration, sent after its commit.
	std::vector<std::pair<Ipv6Address, mh::Message>> outbox_;

	std::optional<EventLoop> loop_;
	std::optional<TimerFd> timer_fd_;
	std::optional<ClockStepWatch> clock_steps_;
	UniqueFd signal_fd_;
	TimerHeap timers_;
	RaEngine ra_;
	Liveness liveness_;			// [maar] detach_after
	ServiceNotifier service_;		// systemd, when it started dlifd
	std::optional<dmm::TimePoint> next_watchdog_;
	std::optional<dmm::TimePoint> next_repair_;	// [daemon] reconcile_interval
	std::optional<dmm::TimePoint> next_traffic_sample_;	// [maar] release_idle_after
	StateStore legacy_store_;		// the JSON file of earlier dlifds, migrated
	StateDatabase database_;
	std::optional<EtcdStore> etcd_;
	// [maar.sessions]: direct mode's session database, and the nodes
	// whose records the core asked for during the current event.
	std::optional<SessionDirectory> sessions_;
	std::vector<std::string> lookups_;
	void answer_lookups();
	void publish_session(const dmm::PublishSession &publish, dmm::TimePoint now);
	// Every record again, on the directory's current (or a fresh) lease.
	void republish_sessions(std::string_view why, dmm::TimePoint now);
	void renew_sessions_lease(dmm::TimePoint now);
	std::optional<dmm::TimePoint> next_leadership_check_;
	dmm::TimePoint lease_confirmed_{};	// the last keep-alive etcd answered
	std::string last_leadership_error_;	// logged once until it changes
	// Adds, renews and removes the leader's service address: opened on
	// first use and kept (a renewal each third of the lease), reopened
	// after an error.
	std::optional<nl::RtnlClient> service_rtnl_;
	std::unique_ptr<ProtocolCore> core_;
	std::unique_ptr<LinuxKernel> kernel_;
	std::unique_ptr<Executor> executor_;
	std::optional<MhSocket> mh_socket_;
	// [security] require_ipsec: the policy changes, and which directions
	// with which peers the policies protect now.
	std::optional<nl::Socket> xfrm_monitor_;
	IpsecCoverage ipsec_;
	std::optional<NdSocket> nd_socket_;
	std::optional<InterfaceNames> names_;	// a MAAR's DLIFs by index, and back
	std::vector<std::unique_ptr<PacketSocket>> packet_sockets_;
	std::unique_ptr<ControlServer> control_;

	std::vector<std::uint8_t> mh_buffer_;
	RateLimiter binding_errors_{dmm::Duration(1000), 5};
	MessageSummary mh_summary_{std::chrono::minutes(1)};	// mh.summary at info
	std::map<MacAddress, dmm::TimePoint> recent_attachments_;
	std::size_t recent_attachments_pruned_ = 0;
	dmm::CounterMap counters_;
	// How long applying the kernel changes of an attachment (the node's
	// DLIF) and of a PBA took (netlink round trips).
	dmm::LatencyHistogram attach_kernel_latency_;
	dmm::LatencyHistogram pba_kernel_latency_;
};

} // namespace dlif::daemon
