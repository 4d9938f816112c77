-- SPDX-License-Identifier: GPL-2.0
--
-- dlif-rfc8885.lua: Wireshark/tshark dissector for the RFC 8885 (DMM for
-- Proxy Mobile IPv6 with Distributed Logical Interfaces) additions to the
-- Mobility Header, which Wireshark does not decode yet:
--
--   * mobility options 65 Anchored Prefix, 66 Local Prefix, 67 Previous
--     MAAR, 68 Serving MAAR, 69 DLIF Link-local Address, 70 DLIF
--     Link-layer Address (registered in the "mip6.option" dissector table,
--     which hands over the whole option: Type, Length, data);
--   * the D flag of the Proxy Binding Update (0x0010 of the flags word)
--     and of the Proxy Binding Acknowledgement (0x02 of the flags octet),
--     shown by a postdissector as rfc8885.bu.d_flag / rfc8885.ba.d_flag.
--
-- Use:  tshark -X lua_script:dlif-rfc8885.lua -r capture.pcap -V
-- or copy it to ~/.local/lib/wireshark/plugins/ (see README.md here).

local OPTION_NAMES = {
	[65] = "Anchored Prefix",
	[66] = "Local Prefix",
	[67] = "Previous MAAR",
	[68] = "Serving MAAR",
	[69] = "DLIF Link-local Address",
	[70] = "DLIF Link-layer Address",
}

-- Option Length each option must have (70 has a variable length >= 3).
local EXPECTED_LENGTH = { [65] = 18, [66] = 18, [67] = 34, [68] = 16, [69] = 16 }

local options = Proto("rfc8885", "RFC 8885 DMM Mobility Option")
local f = options.fields
f.type = ProtoField.uint8("rfc8885.opt.type", "Option type", base.DEC, OPTION_NAMES)
f.len = ProtoField.uint8("rfc8885.opt.len", "Length", base.DEC)
f.reserved = ProtoField.bytes("rfc8885.reserved", "Reserved")
f.prefix_len = ProtoField.uint8("rfc8885.prefix_len", "Prefix length", base.DEC)
f.anchored_prefix = ProtoField.ipv6("rfc8885.anchored_prefix", "Anchored prefix")
f.local_prefix = ProtoField.ipv6("rfc8885.local_prefix", "Local prefix")
f.pmaar_address = ProtoField.ipv6("rfc8885.pmaar.address", "P-MAAR address")
f.pmaar_hnp = ProtoField.ipv6("rfc8885.pmaar.hnp", "Home network prefix anchored at the P-MAAR")
f.smaar_address = ProtoField.ipv6("rfc8885.smaar.address", "S-MAAR address")
f.dlif_link_local = ProtoField.ipv6("rfc8885.dlif.link_local", "DLIF link-local address")
f.dlif_link_layer = ProtoField.bytes("rfc8885.dlif.link_layer", "DLIF link-layer address", base.COLON)

local bad_length = ProtoExpert.new("rfc8885.bad_length", "Option Length not as RFC 8885 defines it",
	expert.group.MALFORMED, expert.severity.ERROR)
options.experts = { bad_length }

-- Reserved(1) Prefix Length(1) Prefix(16): options 65 and 66.
local function prefix_option(tvb, tree, field)
	tree:add(f.reserved, tvb(2, 1))
	tree:add(f.prefix_len, tvb(3, 1))
	tree:add(field, tvb(4, 16)):append_text("/" .. tvb(3, 1):uint())
	return tostring(tvb(4, 16):ipv6()) .. "/" .. tvb(3, 1):uint()
end

function options.dissector(tvb, pinfo, tree)
	local type = tvb(0, 1):uint()
	local length = tvb(1, 1):uint()
	local item = tree:add(options, tvb(0, 2 + length), "RFC 8885 " .. (OPTION_NAMES[type] or "option"))
	item:add(f.type, tvb(0, 1))
	local len_item = item:add(f.len, tvb(1, 1))
	local expected = EXPECTED_LENGTH[type]
	if (expected and length ~= expected) or (type == 70 and length < 3) or tvb:len() < 2 + length then
		len_item:add_proto_expert_info(bad_length)
		return tvb:len()
	end
	local summary
	if type == 65 then
		summary = prefix_option(tvb, item, f.anchored_prefix)
	elseif type == 66 then
		summary = prefix_option(tvb, item, f.local_prefix)
	elseif type == 67 then
		item:add(f.reserved, tvb(2, 1))
		item:add(f.prefix_len, tvb(3, 1))
		item:add(f.pmaar_address, tvb(4, 16))
		item:add(f.pmaar_hnp, tvb(20, 16)):append_text("/" .. tvb(3, 1):uint())
		summary = tostring(tvb(4, 16):ipv6()) .. " anchors " .. tostring(tvb(20, 16):ipv6()) .. "/" .. tvb(3, 1):uint()
	elseif type == 68 then
		item:add(f.smaar_address, tvb(2, 16))
		summary = tostring(tvb(2, 16):ipv6())
	elseif type == 69 then
		item:add(f.dlif_link_local, tvb(2, 16))
		summary = tostring(tvb(2, 16):ipv6())
	elseif type == 70 then
		item:add(f.reserved, tvb(2, 2))
		item:add(f.dlif_link_layer, tvb(4, length - 2))
		summary = tostring(tvb(4, length - 2):bytes():tohex(false, ":"))
	end
	if summary then
		item:append_text(": " .. tostring(summary))
	end
	return 2 + length
end

local option_table = DissectorTable.get("mip6.option")
for type = 65, 70 do
	option_table:add(type, options)
end

-- The D flag. Wireshark's mip6 dissector does not know the bit, so a
-- postdissector reads it from the Mobility Header of each frame.
local d_flag = Proto("rfc8885flags", "RFC 8885 D flag")
d_flag.fields.bu_d = ProtoField.bool("rfc8885.bu.d_flag", "PBU D flag (sent by a MAAR)", 16, nil, 0x0010)
d_flag.fields.ba_d = ProtoField.bool("rfc8885.ba.d_flag", "PBA D flag (sender supports MAAR operation)", 8, nil, 0x02)

local mipv6_field = Field.new("mipv6")

function d_flag.dissector(tvb, pinfo, tree)
	for _, mh in ipairs({ mipv6_field() }) do
		local range = mh.range
		if range and range:len() >= 8 then
			local mh_type = range(2, 1):uint()
			if mh_type == 5 then
				tree:add(d_flag, range(8, 2)):add(d_flag.fields.bu_d, range(8, 2))
			elseif mh_type == 6 then
				tree:add(d_flag, range(7, 1)):add(d_flag.fields.ba_d, range(7, 1))
			end
		end
	end
end

register_postdissector(d_flag)
