// Package seed only exists so that the module graph of dagger.io/dagger can be downloaded.
package seed

import _ "dagger.io/dagger"
