// test_header_cxx.cpp - hsclass.h compiles as C++ (extern "C", no C-only
// constructs) and links against the C library.
#include "hsclass.h"

#include <cstdio>
#include <cstring>

int main()
{
    hsc_config *cfg = nullptr;
    if (hsc_version_number() != HSC_VERSION_NUMBER ||
        std::strcmp(hsc_version_string(), HSC_VERSION_STRING) != 0) {
        std::fprintf(stderr, "header/library version mismatch\n");
        return 1;
    }
    if (hsc_config_new(&cfg) != HSC_OK)
        return 1;
    hsc_status st = hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 3);
    hsc_config_free(cfg);
    hsc_model_free(nullptr);
    hsc_session_free(nullptr);
    hsc_trainer_free(nullptr);
    return st == HSC_OK ? 0 : 1;
}
