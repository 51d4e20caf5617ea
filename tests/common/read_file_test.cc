// The flag-file reader (common/read_file.h): content as it is, secrets trimmed, errors naming the flag and path.
#include "common/read_file.h"

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace detect {
namespace {

std::string Write(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(ReadFileTest, ReadsTheWholeFileAsItIs) {
  static constexpr char kPem[] = "-----BEGIN CERTIFICATE-----\n\x00\xff\n";  // A NUL and a non-UTF-8 byte too.
  const std::string content(kPem, sizeof(kPem) - 1);
  absl::StatusOr<std::string> read = ReadFlagFile(Write("read_file_pem", content), "--tls_cert");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, content);
}

TEST(ReadFileTest, AMissingFileNamesTheFlagAndThePath) {
  const std::string path = ::testing::TempDir() + "read_file_missing/nothing";
  absl::StatusOr<std::string> read = ReadFlagFile(path, "--tls_key");
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(read.status().message(), "cannot read --tls_key '" + path + "'");
}

TEST(ReadFileTest, ASecretIsTrimmed) {
  absl::StatusOr<std::string> read = ReadSecretFile(Write("read_file_secret", "  s3cret\n"), "--ingest_token_file");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "s3cret");
}

TEST(ReadFileTest, AnEmptySecretIsRefused) {
  const std::string path = Write("read_file_blank", " \n\t\n");
  absl::StatusOr<std::string> read = ReadSecretFile(path, "--alert_webhook_secret_file");
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(read.status().message(), "--alert_webhook_secret_file '" + path + "' is empty");
}

}  // namespace
}  // namespace detect
