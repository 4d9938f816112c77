// SPDX-License-Identifier: GPL-2.0
//
// Pacing of the CMD's PBUs to previous MAARs.
//
// When many nodes leave a MAAR at once, the CMD owes that MAAR one PBU per
// node. Sent together, they queue at the MAAR behind one another; the last
// ones wait longer than the retransmission timeout, are retransmitted
// (each copy handled again, under a new sequence number) and finally given
// up on, although the MAAR answers every one: the node then loses its
// earlier prefix (A12). So at most `previous_maar_window` exchanges with
// one MAAR are in flight; the others wait, in order, and leave as answers
// come back. The first retransmission timeout of an exchange follows the
// MAAR's measured answer time (RFC 6298's estimator; each copy of a PBU
// has its own sequence number, so an answer says which copy it answers),
// never less than InitialBindackTimeoutFirstReg, and a timeout that had
// to back off stays backed off for the MAAR's next exchanges until an
// answer is measured: a MAAR that is slow under load is given the time
// it needs before the CMD repeats itself, and the retransmission budget
// stays the same number of tries.
#include <algorithm>

#include "cmd_impl.hpp"

namespace dlif::cmd {

bool CmdCore::Impl::take_off(Binding &binding, Outstanding &outstanding, std::size_t index)
{
	if (outstanding.in_flight)
		return true;
	Flight &flight = flights.at(outstanding.maar);
	if (config.previous_maar_window != 0 && flight.in_flight >= config.previous_maar_window) {
		if (!outstanding.waiting) {
			outstanding.waiting = true;
			flight.waiting.push_back(FlightTicket{binding.slot, outstanding.first_seq,
							      static_cast<std::uint8_t>(index)});
			count(Counter::paced_pbus);
		}
		return false;
	}
	outstanding.waiting = false;
	outstanding.in_flight = true;
	++flight.in_flight;
	if (outstanding.retransmissions == 0)
		outstanding.timeout = std::max(outstanding.timeout, first_timeout(outstanding.maar));
	return true;
}

void CmdCore::Impl::land(Outstanding &outstanding)
{
	// A waiting exchange's ticket goes stale: launch_waiting skips it.
	outstanding.waiting = false;
	if (!outstanding.in_flight)
		return;
	outstanding.in_flight = false;
	Flight &flight = flights.at(outstanding.maar);
	--flight.in_flight;
	if (!flight.waiting.empty())
		landed.push_back(outstanding.maar);
}

void CmdCore::Impl::measure(Outstanding &outstanding, std::uint16_t answered_seq, TimePoint now)
{
	if (!outstanding.in_flight || !outstanding.first_sent)
		return;
	// Which copy the answer is for: the first or the latest (an answer
	// to one in between is not timed). In a locator handover every copy
	// carries the serving MAAR's number: only an exchange sent once can
	// be timed there.
	std::optional<TimePoint> sent;
	if (outstanding.retransmissions == 0)
		sent = outstanding.first_sent;
	else if (outstanding.first_seq != outstanding.last_seq && answered_seq == outstanding.first_seq)
		sent = outstanding.first_sent;
	else if (outstanding.first_seq != outstanding.last_seq && answered_seq == outstanding.last_seq)
		sent = outstanding.last_sent;
	if (!sent)
		return;
	const auto sample = std::max(Duration::zero(), std::chrono::duration_cast<Duration>(now - *sent));
	Flight &flight = flights.at(outstanding.maar);
	flight.backoff = Duration::zero();
	if (!flight.srtt) {
		flight.srtt = sample;
		flight.rttvar = sample / 2;
		return;
	}
	const Duration error = *flight.srtt > sample ? *flight.srtt - sample : sample - *flight.srtt;
	flight.rttvar = (3 * flight.rttvar + error) / 4;
	flight.srtt = (7 * *flight.srtt + sample) / 8;
}

void CmdCore::Impl::backed_off(const Outstanding &outstanding)
{
	Flight &flight = flights.at(outstanding.maar);
	flight.backoff = std::max(flight.backoff, outstanding.timeout);
}

Duration CmdCore::Impl::first_timeout(MaarIndex maar) const
{
	const Flight &flight = flights.at(maar);
	Duration timeout = config.timers.initial_retransmission;
	if (flight.srtt)
		timeout = std::max(timeout, *flight.srtt + 4 * flight.rttvar);
	timeout = std::max(timeout, flight.backoff);
	return std::min(timeout, std::max(config.timers.max_retransmission, config.timers.initial_retransmission));
}

void CmdCore::Impl::launch_waiting(TimePoint now, Actions &out)
{
	while (!landed.empty()) {
		const MaarIndex maar = landed.back();
		landed.pop_back();
		Flight &flight = flights.at(maar);
		while (!flight.waiting.empty() &&
		       (config.previous_maar_window == 0 || flight.in_flight < config.previous_maar_window)) {
			const FlightTicket ticket = flight.waiting.front();
			flight.waiting.pop_front();
			BindingNode *node = ticket.slot < slots.size() ? slots[ticket.slot] : nullptr;
			if (!node || !node->second.pending)
				continue;
			auto &list = node->second.pending->outstanding;
			if (ticket.index >= list.size())
				continue;
			const Outstanding &outstanding = list[ticket.index];
			if (!outstanding.waiting || outstanding.resolved || outstanding.maar != maar ||
			    outstanding.first_seq != ticket.first_seq)
				continue;
			send_outstanding(*node, ticket.index, now, out);
			out.push_back(StateChanged{node->first});
		}
	}
}

} // namespace dlif::cmd
