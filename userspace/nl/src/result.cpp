// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/result.hpp"

#include <cstring>

namespace dlif::nl {

std::string Error::describe() const
{
	if (!message.empty())
		return message;
	return std::strerror(code);
}

Error make_error(int code, std::string message)
{
	Error error;
	error.code = code;
	error.message = std::move(message);
	return error;
}

}  // namespace dlif::nl
