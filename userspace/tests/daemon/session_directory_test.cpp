// SPDX-License-Identifier: GPL-2.0
//
// Direct mode's session database against a real etcd (Debian's
// etcd-server, one throwaway member): records written, read back under the
// node's key, deleted; a cluster that is away keeps the change for later.
#include <gtest/gtest.h>

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

TEST(SessionDirectory, OnEtcd)
{
	if (!tools::EtcdServer::installed())
		GTEST_SKIP() << tools::EtcdServer::kBinary << " is not installed (scripts/deps.sh installs etcd-server)";
	const tools::EtcdServer server;
	ASSERT_TRUE(server.running()) << server.directory();
	SessionDirectoryConfig config;
	config.endpoints = {server.endpoint()};
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
}

} // namespace
} // namespace dlif::daemon
