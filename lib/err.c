#include "app.h"

const char *
app_strerror(enum app_err e)
{
	switch (e) {
	case APP_OK: return "ok";
	case APP_ENOMEM: return "out of memory";
	case APP_EINPUT: return "invalid input";
	case APP_EAUTH: return "authentication failed";
	case APP_EFORBIDDEN: return "forbidden";
	case APP_ENOTFOUND: return "not found";
	case APP_ETOOBIG: return "too large";
	case APP_EDB: return "database error";
	case APP_EUPSTREAM: return "upstream error";
	case APP_ETIMEOUT: return "upstream timeout";
	case APP_ECONFLICT: return "conflict";
	case APP_EBUSY: return "statement timed out";
	case APP_EINTERNAL: return "internal error";
	}
	return "unknown error";
}
