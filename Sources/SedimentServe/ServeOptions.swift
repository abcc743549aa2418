import Foundation
import Hummingbird
