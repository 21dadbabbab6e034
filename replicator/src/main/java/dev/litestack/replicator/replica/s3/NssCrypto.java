package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.util.Log;
import java.security.Provider;
import java.security.Security;
import java.util.Locale;
import java.util.Map;

/**
 * Puts the JDK's PKCS#11 provider, backed by the system's NSS (libnss3, libsoftokn3), first in the
 * JCA provider list before the first S3 client is made, so that TLS (AES-GCM, ECDHE, ECDSA) and
 * SigV4 signing (SHA-256, HMAC) run in NSS's native code.
 *
 * <p>The replicator's JVM compiles with C1 only (a fast start, little CPU and memory), and C1 has
 * none of the intrinsics that make the JDK's own AES-GCM and SHA-256 fast: here they ran at 42 and
 * 153 MB/s (C2: GB/s after its warm-up), so TLS decryption was most of a 10 MiB restore from an
 * HTTPS endpoint and SHA-256 of the payload a third of {@code replicate}'s CPU against a plain-HTTP
 * one (docs/benchmarks.md, "S3 over HTTPS"). NSS does both at GB/s from the first byte.
 *
 * <p>Without NSS on the system, with {@code REPLICATOR_NSS=off}, or when the JVM's security settings
 * configure a PKCS#11 provider of their own (a FIPS setup), the providers stay as they are; nothing
 * else changes. Once per process.
 */
final class NssCrypto {

    /** The environment variable that turns it off ({@code off}, {@code false}, {@code 0} or {@code no}). */
    static final String ENV = "REPLICATOR_NSS";

    /** SunPKCS11's inline configuration: NSS's soft token without a key database. */
    private static final String CONFIG = "--name=NSS\nnssDbMode=noDb\nattributes=compatibility\n";

    private static boolean done;
    private static String active;

    private NssCrypto() {}

    /**
     * Installs the provider unless {@code env} turns it off or it is installed already; returns its
     * name, or null when the JDK's own providers are used.
     */
    static synchronized String install(Map<String, String> env) {
        if (done) {
            return active;
        }
        done = true;
        String skip = skipReason(env, Security.getProviders());
        if (skip != null) {
            Log.get().debug("crypto: the JDK's providers", "reason", skip);
            return null;
        }
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            Log.get().debug("crypto: the JDK's providers", "reason", "no SunPKCS11 provider in this Java runtime");
            return null;
        }
        try {
            Provider nss = base.configure(CONFIG);
            if (Security.insertProviderAt(nss, 1) == -1) {
                Log.get().debug("crypto: the JDK's providers", "reason", nss.getName() + " is installed already");
                return null;
            }
            active = nss.getName();
            Log.get().debug("crypto: NSS", "provider", active);
            return active;
        } catch (RuntimeException e) {
            // ProviderException, InvalidParameterException: no libnss3/libsoftokn3 on this system
            Log.get().debug("crypto: the JDK's providers", "reason", Log.describe(e));
            return null;
        }
    }

    /**
     * Why NSS must not be put first, or null: turned off by {@code env}, or a PKCS#11 provider is
     * configured already (the JVM's own security settings, e.g. a FIPS setup's NSS, which must stay
     * the one in charge).
     */
    static String skipReason(Map<String, String> env, Provider[] installed) {
        String setting = env.getOrDefault(ENV, "").trim().toLowerCase(Locale.ROOT);
        if (setting.equals("off") || setting.equals("false") || setting.equals("0") || setting.equals("no")) {
            return ENV + "=" + setting;
        }
        for (Provider p : installed) {
            if (p.getName().startsWith("SunPKCS11-")) {
                return "a PKCS#11 provider is configured already: " + p.getName();
            }
        }
        return null;
    }
}
