/* Intentionally empty: replaces the MathJax CDN script so chart export never goes online. */
