// SPDX-License-Identifier: GPL-2.0
//
// Direct mode's session database against a real etcd (Debian's
// etcd-server, one throwaway member): records written, read back under the
// node's key, deleted; a cluster that is away keeps the change for later.
#include <gtest/gtest.h>

#include <optional>

#include "etcd_server.hpp"
#include "session_directory.hpp"

namespace dlif::daemon {
namespace {

using namespace std::chrono_literals;

dmm::SessionRecord record_of(const char *maar, const char *prefix)
{
	dmm::SessionRecord record;
	record.maar = *Ipv6Address::from_string(maar);
	record.prefixes = {*Ipv6Prefix::from_string(prefix)};
	record.identity = dmm::derive_dlif_identity(record.maar, dmm::MnId{"n1@dlif.example"});
	record.local_prefixes = {*Ipv6Prefix::from_string("2001:db8:100::/56")};
	return record;
}

TEST(SessionRecord, RoundTripsAndRefusesWhatIsNotOne)
{
	const auto record = record_of("2001:db8::1", "2001:db8:1:0::/64");
	EXPECT_EQ(decode_session_record(encode_session_record(record)), record);
	EXPECT_FALSE(decode_session_record("{"));
	EXPECT_FALSE(decode_session_record("[]"));
	EXPECT_FALSE(decode_session_record(R"({"maar":"2001:db8::1"})"));
	EXPECT_FALSE(decode_session_record(
		R"({"maar":"nope","prefixes":[],"identity":{"mac":"02:00:00:00:00:01","link_local":"fe80::1"},"local_prefixes":[]})"));
}

// A throwaway etcd per test.
class SessionDirectoryOnEtcd : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (!tools::EtcdServer::installed())
			GTEST_SKIP() << tools::EtcdServer::kBinary
				     << " is not installed (scripts/deps.sh installs etcd-server)";
		server_.emplace();
		ASSERT_TRUE(server_->running()) << server_->directory();
	}
	const tools::EtcdServer &server() const { return *server_; }

private:
	std::optional<tools::EtcdServer> server_;
};

TEST_F(SessionDirectoryOnEtcd, WritesReadsAndDeletes)
{
	SessionDirectoryConfig config;
	config.endpoints = {server().endpoint()};
	config.prefix = "/test/sessions/";
	SessionDirectory directory(config);
	const auto m1 = record_of("2001:db8::1", "2001:db8:1:0::/64");
	const auto m2 = record_of("2001:db8::2", "2001:db8:2:0::/64");
	const dmm::TimePoint now{};
	EXPECT_FALSE(directory.publish("n1@dlif.example", m1.maar, m1, now));
	EXPECT_FALSE(directory.publish("n1@dlif.example", m2.maar, m2, now));
	// Another node whose name starts with this one's is not this one.
	EXPECT_FALSE(directory.publish("n1@dlif.example.org", m2.maar, m2, now));
	auto found = directory.lookup("n1@dlif.example");
	ASSERT_TRUE(found) << found.error();
	EXPECT_EQ(*found, (std::vector<dmm::SessionRecord>{m1, m2}));
	EXPECT_EQ(directory.key("n1@dlif.example", m1.maar), "/test/sessions/n1@dlif.example/2001:db8::1");

	EXPECT_FALSE(directory.publish("n1@dlif.example", m1.maar, std::nullopt, now));
	found = directory.lookup("n1@dlif.example");
	ASSERT_TRUE(found);
	EXPECT_EQ(*found, std::vector<dmm::SessionRecord>{m2});
	found = directory.lookup("n2@dlif.example");
	ASSERT_TRUE(found);
	EXPECT_TRUE(found->empty());
	EXPECT_EQ(directory.unwritten(), 0u);
	EXPECT_FALSE(directory.next_retry());
}

// The records live on the MAAR's lease: gone with it, written again on a
// fresh one by publish_all.
TEST_F(SessionDirectoryOnEtcd, RecordsLiveOnTheLease)
{
	SessionDirectoryConfig config;
	config.endpoints = {server().endpoint()};
	config.lease_ttl = 6s;
	SessionDirectory directory(config);
	const auto m1 = record_of("2001:db8::1", "2001:db8:1:0::/64");
	const dmm::TimePoint now{};
	EXPECT_EQ(directory.lease(), 0);
	EXPECT_FALSE(directory.next_renewal());
	ASSERT_FALSE(directory.publish("n1@dlif.example", m1.maar, m1, now));
	const std::int64_t lease = directory.lease();
	EXPECT_NE(lease, 0);
	EXPECT_EQ(directory.next_renewal(), now + 2s);
	EXPECT_EQ(directory.renew_due(now + 1s), SessionDirectory::Renewal::not_due);
	EXPECT_EQ(directory.renew_due(now + 2s), SessionDirectory::Renewal::renewed);
	EXPECT_EQ(directory.next_renewal(), now + 4s);

	// The MAAR was away for longer than the TTL: etcd dropped the lease
	// and every record on it.
	etcd::Client other({server().endpoint()}, 1000ms);
	ASSERT_TRUE(other.revoke(lease));
	ASSERT_TRUE(directory.lookup("n1@dlif.example"));
	EXPECT_TRUE(directory.lookup("n1@dlif.example")->empty());
	EXPECT_EQ(directory.renew_due(now + 4s), SessionDirectory::Renewal::lost);
	EXPECT_EQ(directory.lease(), 0);

	std::vector<dmm::PublishSession> all;
	for (int i = 0; i < 250; ++i)	// three transactions
		all.push_back({"n" + std::to_string(i) + "@dlif.example", m1});
	const auto published = directory.publish_all(m1.maar, all, now + 4s);
	EXPECT_FALSE(published.error);
	EXPECT_EQ(published.written, 250u);
	EXPECT_NE(directory.lease(), 0);
	EXPECT_NE(directory.lease(), lease);
	EXPECT_EQ(directory.lookup("n1@dlif.example")->size(), 1u);
	EXPECT_EQ(directory.lookup("n249@dlif.example")->size(), 1u);
	EXPECT_EQ(directory.unwritten(), 0u);
}

TEST(SessionDirectory, ClusterAwayKeepsTheNewestChange)
{
	const int port = tools::free_loopback_port();
	ASSERT_GT(port, 0);
	SessionDirectoryConfig config;
	config.endpoints = {"http://127.0.0.1:" + std::to_string(port)};
	config.request_timeout = 200ms;
	SessionDirectory directory(config);
	const auto m1 = record_of("2001:db8::1", "2001:db8:1:0::/64");
	const dmm::TimePoint now{};
	EXPECT_TRUE(directory.publish("n1@dlif.example", m1.maar, m1, now));
	EXPECT_TRUE(directory.publish("n1@dlif.example", m1.maar, std::nullopt, now));
	EXPECT_EQ(directory.unwritten(), 1u);
	EXPECT_EQ(directory.next_retry(), now + SessionDirectory::kRetry);
	EXPECT_EQ(directory.retry_due(now), 0u);	// not yet due
	EXPECT_EQ(directory.retry_due(now + SessionDirectory::kRetry), 0u);
	EXPECT_EQ(directory.unwritten(), 1u);
	EXPECT_FALSE(directory.lookup("n1@dlif.example"));
	// Everything publish_all could not write waits too.
	std::vector<dmm::PublishSession> all{{"n2@dlif.example", m1}, {"n3@dlif.example", m1}};
	const auto published = directory.publish_all(m1.maar, all, now);
	EXPECT_TRUE(published.error);
	EXPECT_EQ(published.written, 0u);
	EXPECT_EQ(directory.unwritten(), 3u);
}

} // namespace
} // namespace dlif::daemon
