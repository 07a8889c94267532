#include "common/status.h"

#include <gtest/gtest.h>

namespace mongosd {
namespace {

TEST(ErrorCodes, NamesAndNumbersMatchMongoDB) {
    EXPECT_EQ(ErrorCodes::DuplicateKey, 11000);
    EXPECT_EQ(ErrorCodes::name(ErrorCodes::DuplicateKey), "DuplicateKey");
    EXPECT_EQ(ErrorCodes::name(ErrorCodes::NotWritablePrimary), "NotWritablePrimary");
    EXPECT_EQ(ErrorCodes::fromName("CommandNotFound"), ErrorCodes::CommandNotFound);
    EXPECT_FALSE(ErrorCodes::fromName("NoSuchCodeName").has_value());
    EXPECT_EQ(ErrorCodes::name(static_cast<ErrorCodes::Error>(987654)), "UnknownError");
}

TEST(ErrorCodes, HttpStatusFollowsApiTable) {
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::BadValue), 400);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::AuthenticationFailed), 401);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::Unauthorized), 403);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::CommandNotFound), 404);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::DuplicateKey), 409);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::BSONObjectTooLarge), 413);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::UnsupportedFormat), 415);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::NotWritablePrimary), 503);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::MaxTimeMSExpired), 504);
    EXPECT_EQ(ErrorCodes::httpStatus(ErrorCodes::InternalError), 500);
}

TEST(ErrorCodes, Categories) {
    EXPECT_TRUE(ErrorCodes::isA(ErrorCodes::NotWritablePrimary, kCatNotPrimary));
    EXPECT_TRUE(ErrorCodes::isA(ErrorCodes::NotWritablePrimary, kCatRetriable));
    EXPECT_TRUE(ErrorCodes::isA(ErrorCodes::StaleConfig, kCatStaleConfig));
    EXPECT_FALSE(ErrorCodes::isA(ErrorCodes::DuplicateKey, kCatRetriable));
}

TEST(Status, CarriesCodeAndReason) {
    Status ok = Status::OK();
    EXPECT_TRUE(ok.isOK());
    Status bad(ErrorCodes::BadValue, "x must be a number");
    EXPECT_FALSE(bad.isOK());
    EXPECT_EQ(bad.toString(), "BadValue: x must be a number");
    EXPECT_EQ(bad.withContext("in filter").reason(), "in filter :: x must be a number");
    EXPECT_EQ(bad.withContext("in filter").code(), ErrorCodes::BadValue);
}

TEST(StatusWith, HoldsValueOrError) {
    StatusWith<int> v(42);
    ASSERT_TRUE(v.isOK());
    EXPECT_EQ(v.getValue(), 42);
    StatusWith<int> e(ErrorCodes::TypeMismatch, "nope");
    EXPECT_FALSE(e.isOK());
    EXPECT_EQ(e.getStatus().code(), ErrorCodes::TypeMismatch);
}

}  // namespace
}  // namespace mongosd
