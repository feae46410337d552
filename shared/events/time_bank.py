"""Events of the volunteers' time bank (时间银行): hours earned, given and spent."""
