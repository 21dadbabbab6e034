package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.Provider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When NSS is left out: the switch, and a PKCS#11 provider the JVM's own settings configured. */
class NssCryptoTest {

    private static Provider named(String name) {
        return new Provider(name, "1", "test") {};
    }

    private static final Provider[] JDK = {named("SUN"), named("SunRsaSign"), named("SunEC"), named("SunPKCS11")};

    @Test
    void theSwitchTurnsItOffInAnyOfItsSpellings() {
        for (String v : new String[] {"off", "OFF", " false ", "0", "no"}) {
            assertEquals(
                    "REPLICATOR_NSS=" + v.trim().toLowerCase(), NssCrypto.skipReason(Map.of(NssCrypto.ENV, v), JDK), v);
        }
        for (String v : new String[] {"", "on", "1", "yes"}) {
            assertNull(NssCrypto.skipReason(Map.of(NssCrypto.ENV, v), JDK), v);
        }
        assertNull(NssCrypto.skipReason(Map.of(), JDK));
    }

    @Test
    void aPkcs11ProviderConfiguredByTheJvmsSettingsStaysInCharge() {
        Provider[] fips = {named("SunPKCS11-NSS-FIPS"), named("SUN"), named("SunJSSE")};
        assertEquals(
                "a PKCS#11 provider is configured already: SunPKCS11-NSS-FIPS", NssCrypto.skipReason(Map.of(), fips));
    }
}
