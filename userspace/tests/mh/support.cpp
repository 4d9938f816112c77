// SPDX-License-Identifier: GPL-2.0
#include "support.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sys/wait.h>

#include "capture.hpp"

namespace dlif::mh::test {

namespace {

[[noreturn]] void broken(std::string_view what, std::string_view text)
{
	std::cerr << "broken test data: " << what << ": " << text << '\n';
	std::abort();
}

} // namespace

std::vector<std::uint8_t> hex(std::string_view text)
{
	auto bytes = capture::from_hex(text);
	if (!bytes)
		broken("hex", text);
	return *bytes;
}

std::string to_hex(std::span<const std::uint8_t> bytes)
{
	return capture::to_hex(bytes);
}

Ipv6Address address(std::string_view text)
{
	auto value = Ipv6Address::from_string(text);
	if (!value)
		broken("address", text);
	return *value;
}

Ipv6Prefix prefix(std::string_view text)
{
	auto value = Ipv6Prefix::from_string(text);
	if (!value)
		broken("prefix", text);
	return *value;
}

LinkLayerAddress link_layer(std::string_view text)
{
	auto value = LinkLayerAddress::from_string(text);
	if (!value)
		broken("link-layer address", text);
	return *value;
}

std::vector<std::uint8_t> built(const Message &message)
{
	auto bytes = build(message);
	if (!bytes)
		broken("build", to_string(bytes.error()));
	return *bytes;
}

bool RandomMessageGenerator::chance(unsigned percent)
{
	return std::uniform_int_distribution<unsigned>(0, 99)(rng_) < percent;
}

std::uint8_t RandomMessageGenerator::octet()
{
	return static_cast<std::uint8_t>(std::uniform_int_distribution<unsigned>(0, 255)(rng_));
}

std::uint16_t RandomMessageGenerator::u16()
{
	return static_cast<std::uint16_t>(std::uniform_int_distribution<unsigned>(0, 0xffff)(rng_));
}

std::size_t RandomMessageGenerator::count(std::size_t max)
{
	// Mostly none or one, sometimes past the inline capacity of 4.
	if (chance(50))
		return 0;
	if (chance(60))
		return 1;
	return std::uniform_int_distribution<std::size_t>(2, max)(rng_);
}

Ipv6Address RandomMessageGenerator::any_address()
{
	Ipv6Address address;
	for (auto &b : address.bytes)
		b = octet();
	return address;
}

Ipv6Prefix RandomMessageGenerator::any_prefix()
{
	return Ipv6Prefix{any_address(), static_cast<std::uint8_t>(std::uniform_int_distribution<unsigned>(0, 128)(rng_))};
}

LinkLayerAddress RandomMessageGenerator::any_link_layer()
{
	const std::size_t size = chance(80) ? 6 : std::uniform_int_distribution<std::size_t>(1, kMaxLinkLayerAddressSize)(rng_);
	LinkLayerAddress address;
	for (std::size_t i = 0; i < size; ++i)
		address.bytes.push_back(octet());
	return address;
}

MobilityOptions RandomMessageGenerator::options()
{
	MobilityOptions o;
	if (chance(70)) {
		MobileNodeIdentifier id;
		id.subtype = chance(80) ? MnIdSubtype::Nai : static_cast<MnIdSubtype>(octet());
		const std::size_t size = chance(85) ? std::uniform_int_distribution<std::size_t>(0, 40)(rng_)
						    : std::uniform_int_distribution<std::size_t>(0, MobileNodeIdentifier::kMaxSize)(rng_);
		for (std::size_t i = 0; i < size; ++i)
			id.identifier.push_back(octet());
		o.mobile_node_identifier = id;
	}
	for (std::size_t i = count(6); i > 0; --i)
		o.home_network_prefixes.push_back(any_prefix());
	if (chance(60))
		o.handoff_indicator = static_cast<HandoffIndicator>(octet());
	if (chance(60))
		o.access_technology_type = static_cast<AccessTechnologyType>(octet());
	if (chance(30))
		o.mobile_node_link_layer_identifier = any_link_layer();
	if (chance(30))
		o.link_local_address = any_address();
	if (chance(50))
		o.timestamp = Timestamp::from_raw(std::uniform_int_distribution<std::uint64_t>()(rng_));
	for (std::size_t i = count(6); i > 0; --i)
		o.anchored_prefixes.push_back(any_prefix());
	for (std::size_t i = count(6); i > 0; --i)
		o.local_prefixes.push_back(any_prefix());
	for (std::size_t i = count(6); i > 0; --i)
		o.previous_maars.push_back(PreviousMaar{any_address(), any_prefix()});
	if (chance(30))
		o.serving_maar = any_address();
	if (chance(30))
		o.dlif_link_local_address = any_address();
	if (chance(30))
		o.dlif_link_layer_address = any_link_layer();
	return o;
}

Message RandomMessageGenerator::next()
{
	switch (std::uniform_int_distribution<int>(0, 9)(rng_)) {
	case 0: {
		BindingError be;
		be.status = static_cast<BindingErrorStatus>(octet());
		be.home_address = any_address();
		be.options = options();
		return be;
	}
	case 1:
	case 2:
	case 3:
	case 4: {
		ProxyBindingAck ba;
		ba.status = static_cast<Status>(octet());
		ba.flags = BaFlags::from_bits(octet());
		ba.sequence = u16();
		ba.lifetime = Lifetime::from_units(u16());
		ba.options = options();
		return ba;
	}
	default: {
		ProxyBindingUpdate bu;
		bu.sequence = u16();
		bu.flags = BuFlags::from_bits(u16());
		bu.lifetime = Lifetime::from_units(u16());
		bu.options = options();
		return bu;
	}
	}
}

std::vector<std::uint8_t> mutate(std::vector<std::uint8_t> bytes, std::mt19937_64 &rng)
{
	auto pick = [&](std::size_t max) { return std::uniform_int_distribution<std::size_t>(0, max)(rng); };
	auto any_octet = [&] { return static_cast<std::uint8_t>(pick(255)); };
	const std::size_t edits = 1 + pick(3);
	for (std::size_t e = 0; e < edits; ++e) {
		switch (pick(6)) {
		case 0: // flip one bit
			if (!bytes.empty())
				bytes[pick(bytes.size() - 1)] ^= static_cast<std::uint8_t>(1u << pick(7));
			break;
		case 1: // replace one octet
			if (!bytes.empty())
				bytes[pick(bytes.size() - 1)] = any_octet();
			break;
		case 2: // truncate
			bytes.resize(pick(bytes.size()));
			break;
		case 3: // extend
			for (std::size_t n = 1 + pick(16); n > 0; --n)
				bytes.push_back(any_octet());
			break;
		case 4: // insert an octet
			bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pick(bytes.size())), any_octet());
			break;
		case 5: // remove an octet
			if (!bytes.empty())
				bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(pick(bytes.size() - 1)));
			break;
		default: // make Header Len agree with the size again, so option damage is reached
			if (bytes.size() >= 8)
				bytes[kOffsetHeaderLen] = static_cast<std::uint8_t>(bytes.size() / 8 - 1);
			break;
		}
	}
	return bytes;
}

CommandResult run(const std::string &command)
{
	const std::string quiet = command + " 2>/dev/null";
	FILE *pipe = popen(quiet.c_str(), "r");
	if (pipe == nullptr)
		return {-1, {}};
	std::string output;
	std::array<char, 4096> chunk;
	std::size_t n;
	while ((n = std::fread(chunk.data(), 1, chunk.size(), pipe)) > 0)
		output.append(chunk.data(), n);
	const int status = pclose(pipe);
	return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

bool have_program(const std::string &name)
{
	return run("command -v '" + name + "'").exit_status == 0;
}

std::string scratch_path(const std::string &name)
{
	const char *dir = std::getenv("TMPDIR");
	return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/dlif-mh-test-" + std::to_string(getpid()) +
	       "-" + name;
}

std::string source_dir()
{
	return DLIF_SOURCE_DIR;
}

TsharkCapture::TsharkCapture(const std::string &name, const std::vector<std::vector<std::uint8_t>> &mobility_headers,
			     std::string lua_plugin)
	: path_(scratch_path(name + ".pcap")), lua_plugin_(std::move(lua_plugin))
{
	const auto source = address("2001:db8::a");
	const auto destination = address("2001:db8::b");
	std::vector<std::vector<std::uint8_t>> packets;
	for (const auto &mh : mobility_headers)
		packets.push_back(capture::ipv6_packet(source, destination, mh));
	if (!capture::write_pcap(path_, packets))
		broken("cannot write", path_);
}

TsharkCapture::~TsharkCapture()
{
	std::remove(path_.c_str());
}

std::string TsharkCapture::tshark() const
{
	// TZ=UTC: absolute times print the same wherever the tests run.
	std::string command = "TZ=UTC tshark -n -r '" + path_ + "'";
	if (!lua_plugin_.empty())
		command += " -X 'lua_script:" + lua_plugin_ + "'";
	return command;
}

std::vector<std::vector<std::string>> TsharkCapture::fields(const std::vector<std::string> &names,
							    const std::string &filter) const
{
	std::string command = tshark() + " -T fields -E separator='|' -E occurrence=a -E aggregator=,";
	for (const auto &name : names)
		command += " -e " + name;
	if (!filter.empty())
		command += " -Y '" + filter + "'";
	std::vector<std::vector<std::string>> rows;
	for (const auto &line : lines(run(command).output))
		rows.push_back(split(line, '|'));
	return rows;
}

std::vector<std::string> TsharkCapture::column(const std::string &name) const
{
	std::vector<std::string> values;
	for (const auto &row : fields({name}))
		values.push_back(row.at(0));
	return values;
}

std::vector<int> TsharkCapture::frames_matching(const std::string &filter) const
{
	std::vector<int> frames;
	for (const auto &row : fields({"frame.number"}, filter))
		frames.push_back(std::stoi(row.at(0)));
	return frames;
}

std::string TsharkCapture::verbose() const
{
	return run(tshark() + " -V").output;
}

std::vector<std::string> lines(const std::string &text)
{
	auto result = split(text, '\n');
	if (!result.empty() && result.back().empty())
		result.pop_back();
	return result;
}

std::vector<std::string> split(const std::string &text, char separator)
{
	std::vector<std::string> fields;
	std::size_t start = 0;
	for (;;) {
		const auto end = text.find(separator, start);
		fields.push_back(text.substr(start, end - start));
		if (end == std::string::npos)
			return fields;
		start = end + 1;
	}
}

} // namespace dlif::mh::test
