// SPDX-License-Identifier: GPL-2.0
//
// The etcd client and the CMD's store in etcd, against a real etcd (Debian's
// etcd-server, started here on loopback ports of its own): the gateway's
// encodings, paged ranges, guarded transactions, leadership taken, kept,
// given up and lost to an expired lease, and a deposed leader fenced off.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "etcd_server.hpp"
#include "etcd_store.hpp"
#include "state_changes_for_tests.hpp"

namespace dlif::daemon {
namespace {

using namespace std::chrono_literals;

class EtcdTest : public testing::Test {
protected:
	static void SetUpTestSuite()
	{
		if (tools::EtcdServer::installed())
			server_ = std::make_unique<tools::EtcdServer>();
	}
	static void TearDownTestSuite() { server_.reset(); }
	void SetUp() override
	{
		if (!server_)
			GTEST_SKIP() << tools::EtcdServer::kBinary
				     << " is not installed (scripts/deps.sh installs etcd-server)";
		ASSERT_TRUE(server_->running()) << "etcd did not start: see " << server_->directory() << "/etcd.log";
		endpoint_ = server_->endpoint();
		prefix_ = "/dlif/test/" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()) + "/";
	}

	EtcdStoreConfig config(const std::string &name, std::chrono::seconds ttl = 5s) const
	{
		return EtcdStoreConfig{{endpoint_}, prefix_, name, ttl, 1000ms, {}};
	}

	static inline std::unique_ptr<tools::EtcdServer> server_;
	std::string endpoint_;
	std::string prefix_;
};

// true or false from etcd; a failure to ask is a test failure.
template <typename T>
std::optional<bool> answer(const etcd::Result<T> &result)
{
	if (!result) {
		ADD_FAILURE() << result.error();
		return std::nullopt;
	}
	return static_cast<bool>(*result);
}

TEST(EtcdEncoding, Base64RoundTripsEveryLength)
{
	for (const std::string &text : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
		const auto encoded = etcd::base64_encode(text);
		EXPECT_EQ(encoded.size() % 4, 0u);
		EXPECT_EQ(etcd::base64_decode(encoded), text) << encoded;
	}
	EXPECT_EQ(etcd::base64_encode("foo"), "Zm9v");
	EXPECT_FALSE(etcd::base64_decode("abc"));
	EXPECT_FALSE(etcd::base64_decode("a*c="));
}

TEST(EtcdEncoding, PrefixEndIsTheFirstKeyAfterThePrefix)
{
	EXPECT_EQ(etcd::prefix_end("/dlif/"), "/dlif0");
	EXPECT_EQ(etcd::prefix_end(std::string("a\xff", 2)), "b");
	EXPECT_EQ(etcd::prefix_end(""), std::string(1, '\0'));
}

TEST_F(EtcdTest, RangeReadsEveryPageInKeyOrder)
{
	etcd::Client client({endpoint_}, 1s);
	etcd::Transaction put;
	for (int i = 0; i < 7; ++i)
		put.success.push_back(etcd::Operation::put(prefix_ + "k" + std::to_string(i), "v" + std::to_string(i)));
	put.success.push_back(etcd::Operation::put(prefix_.substr(0, prefix_.size() - 1) + "0", "outside"));
	ASSERT_TRUE(client.commit(put));
	auto all = client.range_prefix(prefix_, 3);
	ASSERT_TRUE(all) << all.error();
	ASSERT_EQ(all->size(), 7u);
	for (int i = 0; i < 7; ++i) {
		EXPECT_EQ((*all)[i].key, prefix_ + "k" + std::to_string(i));
		EXPECT_EQ((*all)[i].value, "v" + std::to_string(i));
	}
}

TEST_F(EtcdTest, AnEndpointThatDoesNotAnswerIsSkipped)
{
	etcd::Client client({"http://127.0.0.1:" + std::to_string(tools::free_loopback_port()), endpoint_}, 1s);
	ASSERT_TRUE(client.range_prefix(prefix_));
	EXPECT_EQ(client.endpoint(), endpoint_);
	etcd::Client nobody({"http://127.0.0.1:" + std::to_string(tools::free_loopback_port())}, 1s);
	const auto refused = nobody.range_prefix(prefix_);
	ASSERT_FALSE(refused);
	EXPECT_NE(refused.error().find("127.0.0.1"), std::string::npos) << refused.error();
}

TEST_F(EtcdTest, WhatTheLeaderCommitsIsLoaded)
{
	EtcdStore store(config("a"));
	auto empty = store.load();
	ASSERT_TRUE(empty) << empty.error();
	EXPECT_FALSE(*empty) << "nothing was ever committed";
	EXPECT_FALSE(store.commit(test_changes({{"mn1", "r1"}}))) << "not the leader yet";
	ASSERT_EQ(answer(store.campaign()), true);
	ASSERT_TRUE(store.commit(test_changes({{"mn1", "r1"}, {"mn2", "r2"}})));
	ASSERT_TRUE(store.commit(test_changes({{"mn1", std::nullopt}, {"mn3", "r3"}})));
	auto loaded = EtcdStore(config("b")).load();
	ASSERT_TRUE(loaded) << loaded.error();
	ASSERT_TRUE(*loaded);
	EXPECT_EQ((*loaded)->role, "cmd");
	EXPECT_EQ((*loaded)->address, "2001:db8::100");
	EXPECT_EQ((*loaded)->saved_at_ms, 1700000000000);
	EXPECT_EQ((*loaded)->header, R"({"format":"h"})");
	EXPECT_EQ((*loaded)->records, (std::vector<std::string>{"r2", "r3"}));
}

TEST_F(EtcdTest, ALargeChangeAndAFullRewriteGoThrough)
{
	EtcdStore store(config("a"));
	ASSERT_EQ(answer(store.campaign()), true);
	std::vector<std::pair<std::string, std::optional<std::string>>> many;
	for (int i = 0; i < 450; ++i)
		many.emplace_back("mn" + std::to_string(1000 + i), "r" + std::to_string(i));
	ASSERT_TRUE(store.commit(test_changes(many)));
	ASSERT_EQ((*store.load())->records.size(), 450u);
	// A rewrite lists every node left: the others go.
	ASSERT_TRUE(store.commit(test_changes({{"mn1000", "again"}, {"mn2000", "new"}}, true)));
	EXPECT_EQ((*store.load())->records, (std::vector<std::string>{"again", "new"}));
}

// A node named twice in one commit: its last record holds, as in the
// SQLite store (etcd itself refuses a transaction naming a key twice).
TEST_F(EtcdTest, ANodeNamedTwiceKeepsItsLastRecord)
{
	EtcdStore store(config("a"));
	ASSERT_EQ(answer(store.campaign()), true);
	ASSERT_TRUE(store.commit(test_changes({{"mn1", "first"}, {"mn2", "kept"}, {"mn1", "last"}})));
	EXPECT_EQ((*store.load())->records, (std::vector<std::string>{"last", "kept"}));
	ASSERT_TRUE(store.commit(test_changes({{"mn1", "again"}, {"mn1", std::nullopt}, {"mn2", "kept"}}, true)));
	EXPECT_EQ((*store.load())->records, (std::vector<std::string>{"kept"}));
}

TEST_F(EtcdTest, OneLeaderAtATimeAndAResignedOneIsFenced)
{
	EtcdStore a(config("a"));
	EtcdStore b(config("b"));
	ASSERT_EQ(answer(a.campaign()), true);
	ASSERT_EQ(answer(b.campaign()), false);
	EXPECT_EQ(b.known_leader(), "a");
	EXPECT_FALSE(b.leader());
	EXPECT_EQ(answer(a.keep_alive()), true);
	ASSERT_TRUE(a.commit(test_changes({{"mn1", "from a"}})));

	a.resign();
	ASSERT_EQ(answer(b.campaign()), true);
	ASSERT_TRUE(b.commit(test_changes({{"mn1", "from b"}})));
	// An instance that believes it still leads (its resign never reached
	// etcd, or it was paused) cannot write over the new leader.
	EtcdStore stale(config("a"));
	EXPECT_FALSE(stale.commit(test_changes({{"mn1", "stale"}})));
	EXPECT_EQ((*b.load())->records, (std::vector<std::string>{"from b"}));
}

TEST_F(EtcdTest, AnExpiredLeaseEndsTheLeadership)
{
	EtcdStore a(config("a", 1s));
	EtcdStore b(config("b", 1s));
	ASSERT_EQ(answer(a.campaign()), true);
	// a stops keeping its lease alive (a paused or cut-off process).
	bool taken = false;
	for (int i = 0; i < 100 && !taken; ++i) {
		std::this_thread::sleep_for(100ms);
		const auto campaign = b.campaign();
		taken = campaign && *campaign;
	}
	ASSERT_TRUE(taken) << "the lease of a never expired";
	EXPECT_EQ(answer(a.keep_alive()), false) << "a learns that it lost the lease";
	EXPECT_FALSE(a.leader());
	const auto refused = a.commit(test_changes({{"mn1", "late"}}));
	ASSERT_FALSE(refused);
	ASSERT_TRUE(b.commit(test_changes({{"mn1", "b"}})));
	EXPECT_EQ((*b.load())->records, (std::vector<std::string>{"b"}));
}

TEST_F(EtcdTest, ALaterVersionIsRefused)
{
	etcd::Client client({endpoint_}, 1s);
	etcd::Transaction put;
	put.success.push_back(etcd::Operation::put(prefix_ + "meta/version", "2"));
	put.success.push_back(etcd::Operation::put(prefix_ + "nodes/mn1", "r"));
	ASSERT_TRUE(client.commit(put));
	const auto loaded = EtcdStore(config("a")).load();
	ASSERT_FALSE(loaded);
	EXPECT_NE(loaded.error().find("version '2'"), std::string::npos) << loaded.error();
}

// A cluster reached over https that requires client certificates
// (--client-cert-auth), from a CA made for the test: the store leads,
// commits and loads with the instance's certificate; without it, or
// without the cluster's CA, every request is refused and says why.
TEST(EtcdTls, TheStoreUsesItsCertificateAndIsRefusedWithout)
{
	if (!tools::EtcdServer::installed())
		GTEST_SKIP() << tools::EtcdServer::kBinary << " is not installed (scripts/deps.sh installs etcd-server)";
	const tools::EtcdServer server(tools::EtcdServer::Transport::tls);
	ASSERT_TRUE(server.running()) << "etcd did not start over TLS: see " << server.directory()
				      << "/etcd.log and pki.log";
	ASSERT_TRUE(server.endpoint().starts_with("https://"));
	const etcd::Tls tls = server.client_tls();

	EtcdStore store(EtcdStoreConfig{{server.endpoint()}, "/dlif/tls/", "a", 5s, 2000ms, tls});
	ASSERT_EQ(answer(store.campaign()), true);
	ASSERT_TRUE(store.commit(test_changes({{"mn1", "over tls"}})));
	EXPECT_EQ((*store.load())->records, (std::vector<std::string>{"over tls"}));

	etcd::Tls no_certificate = tls;
	no_certificate.cert_file.clear();
	no_certificate.key_file.clear();
	const auto refused = etcd::Client({server.endpoint()}, 2000ms, no_certificate).range_prefix("/dlif/tls/");
	ASSERT_FALSE(refused) << "etcd answered a client with no certificate";
	EXPECT_NE(refused.error().find(server.endpoint()), std::string::npos) << refused.error();

	etcd::Tls no_ca = tls;
	no_ca.ca_file.clear();
	const auto untrusted = etcd::Client({server.endpoint()}, 2000ms, no_ca).range_prefix("/dlif/tls/");
	ASSERT_FALSE(untrusted) << "a member certificate from an unknown CA was trusted";
	EXPECT_NE(untrusted.error().find("certificate"), std::string::npos) << untrusted.error();
}

} // namespace
} // namespace dlif::daemon
