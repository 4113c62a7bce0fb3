/* A test-only stand-in for Windows 10's bcryptprimitives.dll, which Wine 8.0 (Debian 12) lacks.
 * Rust's standard library on Windows takes its random bytes from ProcessPrng in that DLL, so the
 * Windows build of the provider cannot start under that Wine without it. This one answers with
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. It is built and put into the test
 * Wine prefix by ./scripts/install-cross, and never shipped: real Windows has the DLL. */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
