package io.signalhub;

import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The sandbox's vendor fakes for a test class: started once, every fake reset before each test. */
final class FakeVendors implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    final Sandbox sandbox = new Sandbox();

    @Override
    public void beforeAll(ExtensionContext context) {
        sandbox.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        sandbox.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        sandbox.stop();
    }
}
