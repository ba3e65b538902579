package io.netplane.api;

import io.quarkus.test.junit.callback.QuarkusTestBeforeClassCallback;
import io.restassured.RestAssured;

/**
 * The credentials of the test profile (application.properties, {@code %test.netplane.auth.*}), and the one
 * place every test authenticates: before each test class, RestAssured's default authentication becomes the
 * admin token (registered in META-INF/services). A test that checks access control overrides it per request.
 */
public final class TestCredentials implements QuarkusTestBeforeClassCallback {
    public static final String ADMIN = "test-admin";
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
    public static final String OPERATOR_TOKEN = "test-operator-token-0123456789ab";
    public static final String VIEWER_TOKEN = "test-viewer-token-0123456789abcd";
    /** Basic users: alice (operator), victor (viewer, its password stored as {sha256}). */
    public static final String ALICE_PASSWORD = "alice-password";
    public static final String VICTOR_PASSWORD = "victor-password";

    @Override
    public void beforeClass(Class<?> testClass) {
        RestAssured.authentication = RestAssured.oauth2(ADMIN_TOKEN);
    }
}
