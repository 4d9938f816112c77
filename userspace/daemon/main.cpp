// SPDX-License-Identifier: GPL-2.0
//
// dlifd: the DMM daemon (RFC 8885), a CMD or a MAAR by configuration.
//
//   dlifd -c FILE [-f|--foreground] [--check] [-p|--pid-file FILE]
//   dlifd --version | --help
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "dlif/unique_fd.hpp"

#include "config.hpp"
#include "daemon.hpp"
#include "log.hpp"

#ifndef DLIF_VERSION
#define DLIF_VERSION "unknown"
#endif

namespace {

using namespace dlif::daemon;
using dlif::UniqueFd;

constexpr std::string_view kUsage =
	"Usage: dlifd -c FILE [-f|--foreground] [-p|--pid-file FILE] [--discard-state]\n"
	"       dlifd -c FILE --check\n"
	"       dlifd --version | --help\n"
	"\n"
	"  -c, --config FILE    the configuration (TOML; see Documentation/admin-guide.rst)\n"
	"  -f, --foreground     stay in the foreground (as under systemd); otherwise\n"
	"                       dlifd detaches once it is running and its parent exits 0\n"
	"  -p, --pid-file FILE  write the daemon's pid there\n"
	"      --check          validate the configuration, print it, exit 0 (valid) or 1\n"
	"      --discard-state  start empty when the saved state cannot be used (it is\n"
	"                       moved aside); without it dlifd refuses to start then\n"
	"      --version        print the version\n"
	"  -h, --help           this text\n"
	"\n"
	"Logs go to standard error, one logfmt line per event.\n";

struct Options {
	std::optional<std::string> config;
	std::optional<std::string> pid_file;
	bool foreground = false;
	bool check = false;
	bool discard_state = false;
};

int usage_error(const std::string &message)
{
	std::fprintf(stderr, "dlifd: %s\n%.*s", message.c_str(), static_cast<int>(kUsage.size()), kUsage.data());
	return 2;
}

bool write_pid_file(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	if (!fd)
		return false;
	const std::string text = std::to_string(getpid()) + "\n";
	return ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

// Detaches: the parent waits until the child says it runs (one byte on a
// pipe) and exits 0, or exits 1 when the child fails to start (its
// errors are already on the shared stderr). Returns in the child only.
std::optional<int> detach(UniqueFd &ready)
{
	int fds[2];
	if (::pipe2(fds, O_CLOEXEC) < 0) {
		std::perror("dlifd: pipe");
		return 1;
	}
	UniqueFd read_end(fds[0]);
	UniqueFd write_end(fds[1]);
	const pid_t child = ::fork();
	if (child < 0) {
		std::perror("dlifd: fork");
		return 1;
	}
	if (child > 0) {
		write_end.reset();
		char byte = 0;
		const ssize_t n = ::read(read_end.get(), &byte, 1);
		return n == 1 ? 0 : 1;
	}
	read_end.reset();
	::setsid();
	if (::chdir("/") < 0) {
		// "/" always exists; nothing sensible to do otherwise.
	}
	UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
	if (null) {
		::dup2(null.get(), STDIN_FILENO);
		::dup2(null.get(), STDOUT_FILENO);
	}
	ready = std::move(write_end);
	return std::nullopt;
}

} // namespace

int main(int argc, char **argv)
{
	Options options;
	for (int i = 1; i < argc; ++i) {
		const std::string_view arg = argv[i];
		auto value = [&](std::string_view option) -> std::optional<std::string> {
			if (i + 1 >= argc)
				return std::nullopt;
			(void)option;
			return std::string(argv[++i]);
		};
		if (arg == "-c" || arg == "--config") {
			options.config = value(arg);
			if (!options.config)
				return usage_error(std::string(arg) + " needs a file name");
		} else if (arg.starts_with("--config=")) {
			options.config = std::string(arg.substr(9));
		} else if (arg == "-p" || arg == "--pid-file") {
			options.pid_file = value(arg);
			if (!options.pid_file)
				return usage_error(std::string(arg) + " needs a file name");
		} else if (arg == "-f" || arg == "--foreground") {
			options.foreground = true;
		} else if (arg == "--check") {
			options.check = true;
		} else if (arg == "--discard-state") {
			options.discard_state = true;
		} else if (arg == "--version" || arg == "-V") {
			std::printf("dlifd (dlif) %s\n", DLIF_VERSION);
			return 0;
		} else if (arg == "--help" || arg == "-h") {
			std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
			return 0;
		} else {
			return usage_error("unknown argument \"" + std::string(arg) + "\"");
		}
	}
	if (!options.config)
		return usage_error("no configuration file (-c FILE)");
	// SIGHUP re-reads the file after the daemon changed to "/".
	std::error_code error;
	if (auto absolute = std::filesystem::absolute(*options.config, error); !error)
		options.config = absolute.lexically_normal().string();

	auto config = load_config(*options.config);
	if (!config) {
		std::fprintf(stderr, "dlifd: %s\n", config.error().to_string().c_str());
		return 1;
	}
	if (options.check) {
		std::printf("%s: configuration OK\n", options.config->c_str());
		for (const auto &[key, text] : describe(*config))
			std::printf("%s = %s\n", key.c_str(), text.c_str());
		return 0;
	}

	UniqueFd ready;
	if (!options.foreground) {
		if (auto exit_status = detach(ready))
			return *exit_status;
	}

	Logger log(stderr, stderr_is_journal());
	log.set_level(config->log_level);
	if (options.pid_file && !write_pid_file(*options.pid_file)) {
		log.error("dlifd.start.failed", {{"error", "cannot write the pid file " + *options.pid_file + ": " +
							    std::strerror(errno)}});
		return 1;
	}
	Daemon daemon(std::move(*config), log);
	if (options.discard_state)
		daemon.discard_unusable_state();
	if (!daemon.start()) {
		if (options.pid_file)
			::unlink(options.pid_file->c_str());
		return 1;
	}
	if (ready) {
		const char byte = 1;
		[[maybe_unused]] auto written = ::write(ready.get(), &byte, 1);
		ready.reset();
	}
	const int status = daemon.run();
	if (options.pid_file)
		::unlink(options.pid_file->c_str());
	return status;
}
